"""litellm loads without tokenizers nobody needs and warms up without leaving the machine.

The tokenizer checks run in a fresh interpreter (what is imported is process-wide) through the real engine
against the scripted server, for an OpenAI-style and an Anthropic-style provider. They fail loudly when a
litellm upgrade moves the two switches `litellm_loader` relies on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from child_json import run_child_json

CHILD = r"""
import asyncio, gc, json, sys, tempfile
from pathlib import Path
from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.llm import litellm_loader
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing import FakeLLMThread, text

warm = sys.argv[1] == "warm"
root = Path(tempfile.mkdtemp())
limits = {"limit": {"context": 100000, "output": 4000}}

def provider(srv, api):
    base = srv.openai_base if api == "openai" else srv.anthropic_base
    return {"api": api, "base_url": base, "api_key": "sk-test", "models": {"m": limits}}

async def main():
    cached_sources = None
    if warm:
        litellm_loader.warm_up_in_background().join()
        import linecache
        cached_sources = sorted(f for f in linecache.cache if "litellm" in f)
    with FakeLLMThread([[text("hello there")], [text("hi again")]]) as srv:
        config = Config.model_validate({"model": "oa/m", "small_model": "oa/m", "provider": {
            "oa": provider(srv, "openai"), "an": provider(srv, "anthropic")}})
        svc = SessionService(project=Project.discover(root), config=config, storage=Storage(root / "db"), bus=Bus())
        session = svc.create(title="t")
        replies = [await svc.chat(session.id, "hi", model=m) for m in ("oa/m", "an/m")]
        await svc.shutdown()
    import litellm, litellm.main
    print(json.dumps({
        "errors": [r.error.model_dump(mode="json") if r.error else None for r in replies],
        "tiktoken_data": "tiktoken_ext.openai_public" in sys.modules,
        "hf_tokenizers": "tokenizers" in sys.modules,
        "encoding_is_lazy": type(litellm.main.encoding).__name__ == "_LazyEncoding",
        "counter_off": litellm.disable_token_counter,
        "switch_interval": sys.getswitchinterval(),
        "frozen": gc.get_freeze_count(),
        "cached_sources": cached_sources,
    }))

asyncio.run(main())
"""


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_streamed_replies_load_no_tokenizer(mode: str, subprocess_env: dict[str, str]) -> None:
    found = run_child_json(CHILD, subprocess_env, mode)
    assert found["errors"] == [None, None]
    assert found["encoding_is_lazy"], "litellm.main.encoding is no longer the lazy stand-in"
    assert found["counter_off"] is True
    assert found["switch_interval"] == 0.005, "the warm-up left its short switch interval behind"
    assert not found["tiktoken_data"], "an OpenAI or Anthropic reply loaded tiktoken's encoding"
    assert not found["hf_tokenizers"], "a reply loaded a Hugging Face tokenizer"
    if mode == "warm":
        # litellm's few hundred thousand lifelong objects are out of the collector's sight after the warm-up,
        # so no full collection (0.3-1 s each with them) pauses a streaming reply.
        assert found["frozen"] > 100_000
        # The refused warm-up calls made litellm format tracebacks, which read litellm's sources into linecache
        # (2 MB); they are dropped before the app sits idle.
        assert found["cached_sources"] == []


@pytest.mark.slow
def test_token_counting_switches_the_counter_on_only_inside() -> None:
    from agent_tui.core.llm.litellm_loader import load_litellm, token_counting

    litellm = load_litellm()
    # litellm's own switch: if an upgrade drops it, token counting would silently cost a tokenizer again.
    assert hasattr(litellm, "disable_token_counter")
    assert litellm.token_counter(model="gpt-4o", text="one two three four") == 0
    with token_counting() as counting:
        assert counting.token_counter(model="gpt-4o", text="one two three four") > 0
    assert litellm.disable_token_counter is True


GC_CHILD = r"""
import gc, json, sys
from agent_tui.core.llm import litellm_loader
if sys.argv[1] == "off":
    gc.disable()
litellm_loader.load_litellm()
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("before", ["on", "off"])
def test_import_leaves_the_collector_as_it_found_it_with_litellm_frozen(before: str, subprocess_env: dict[str, str]
                                                                        ) -> None:
    # The import runs with the collector paused (its full passes held the interpreter lock for up to 250 ms
    # each, stalling the UI thread); what it loaded is frozen out of reach of later passes.
    found = run_child_json(GC_CHILD, subprocess_env, before)
    assert found["enabled"] is (before == "on")
    assert found["frozen"] > 100_000, "litellm's objects were not moved to the permanent generation"


NETWORK_CHILD = r"""
import json, os, socket, sys
events = []

def audit(event, args):
    if event in ("socket.getaddrinfo", "socket.connect", "socket.gethostbyname"):
        events.append([event, repr(args[1] if event == "socket.connect" else args[0])])

for name in ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_OFFLINE_MODE"):  # the loader must keep litellm offline
    os.environ.pop(name, None)
sys.addaudithook(audit)
from agent_tui.core.llm import litellm_loader
litellm_loader.load_litellm()
at_import = list(events)
litellm_loader.warm_up_in_background().join()
# What litellm would fetch from GitHub at the first call that filters Anthropic beta headers.
import litellm
from litellm.anthropic_beta_headers_manager import get_beta_headers_config
assert get_beta_headers_config(url=litellm.anthropic_beta_headers_url)
at_warm_up = events[len(at_import):]
# The hook does see a connection: one to a closed local port.
with socket.socket() as closed:
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        pass
print(json.dumps({"import": at_import, "warm_up": at_warm_up, "probe": events[len(at_import) + len(at_warm_up):]}))
"""


@pytest.mark.slow
def test_import_and_warm_up_reach_no_host_but_this_one(subprocess_env: dict[str, str]) -> None:
    env = {k: v for k, v in subprocess_env.items() if k not in ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_OFFLINE_MODE")}
    found = run_child_json(NETWORK_CHILD, env)
    assert found["probe"], "the audit hook saw no connection at all: the check below would prove nothing"
    assert found["import"] == [], "importing litellm looked up or connected to a host (its price list?)"
    assert found["warm_up"], "the warm-up made no call"
    # Only the warm-up's own calls to 127.0.0.1: no price list, no beta-header table from GitHub.
    assert all("127.0.0.1" in target for _, target in found["warm_up"]), found["warm_up"]


TOKENIZER_CHILD = r"""
import json, sys
TEXT = "Counting tokens of an old Claude model: one two three four, and some punctuation!"
if sys.argv[1] == "plain":  # litellm as it comes, for the reference count
    import litellm, litellm.utils
    litellm.disable_token_counter = False
    model = next(m for m in litellm.anthropic_models if litellm.utils.uses_anthropic_tokenizer(m))
    print(json.dumps({"tokens": litellm.token_counter(model=model, text=TEXT)}))
    raise SystemExit
from agent_tui.core.llm.litellm_loader import load_litellm, token_counting
litellm = load_litellm()
import litellm.utils
unparsed = "claude_json_str" not in vars(litellm.utils) and "json_data" not in vars(litellm.utils)
model = next(m for m in litellm.anthropic_models if litellm.utils.uses_anthropic_tokenizer(m))
with token_counting() as counting:
    tokens = counting.token_counter(model=model, text=TEXT)
try:
    litellm.utils.no_such_name
    missing_raises = False
except AttributeError:
    missing_raises = True
print(json.dumps({"unparsed_at_import": unparsed, "tree_kept": "json_data" in vars(litellm.utils), "tokens": tokens,
                  "hf": "tokenizers" in sys.modules, "missing_raises": missing_raises}))
"""


@pytest.mark.slow
def test_the_tokenizer_file_is_read_only_when_counting_and_old_claude_models_count_the_same(
        subprocess_env: dict[str, str]) -> None:
    # At import litellm parses its 1.7 MB Anthropic tokenizer file and dumps it back to text: C calls holding the
    # interpreter lock 30-80 ms each beside the UI. The loader leaves the file unparsed and serves its text when
    # an old Claude model's tokens are first counted; the count must be litellm's own.
    def child(mode: str) -> dict:
        return run_child_json(TOKENIZER_CHILD, subprocess_env, mode)

    found, plain = child("loader"), child("plain")
    assert found["unparsed_at_import"], "litellm.utils parsed its tokenizer file at import again"
    assert found["tree_kept"] is False, "litellm.utils.json_data (5 MB, unused after import) is held"
    assert found["hf"] and found["tokens"] > 0, "counting with litellm's Anthropic tokenizer broke"
    assert found["tokens"] == plain["tokens"], "the lazily served tokenizer counts differently from litellm's own"
    assert found["missing_raises"], "litellm.utils's attribute hook no longer raises for unknown names"


PRIORITY_CHILD = r"""
import json, os, threading, time
from pathlib import Path
from agent_tui.core.llm import litellm_loader

def tasks():
    found = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            found[int(task.name)] = ((task / "comm").read_text().strip(), int(fields[16]))  # name, nice
        except OSError:
            pass
    return found

main_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
thread = litellm_loader.warm_up_in_background()
during = {}
while thread.is_alive():
    during.update(tasks())
    time.sleep(0.02)
loader = [nice for name, nice in during.values() if name == "litellm-warm-up"]
print(json.dumps({"main_before": main_nice, "loader": loader,
                  "main_during": during[threading.get_native_id()][1],
                  "after": [nice for tid, (name, nice) in tasks().items()]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="per-thread nice values are Linux's")
def test_litellm_loads_in_a_named_thread_at_a_lower_priority_than_the_ui(subprocess_env: dict[str, str]) -> None:
    # The UI threads keep their priority, so on a busy core a keystroke's threads run before the import; after
    # the warm-up no thread is left at the loading priority.
    found = run_child_json(PRIORITY_CHILD, subprocess_env)
    assert found["loader"], "no thread named litellm-warm-up was seen while it loaded"
    assert min(found["loader"]) >= max(found["main_before"], 10), found
    assert found["main_during"] == found["main_before"]
    assert found["after"] and all(nice == found["main_before"] for nice in found["after"]), found
