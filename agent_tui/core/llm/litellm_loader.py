"""Import litellm lazily, once, quietly, without touching the network and without tokenizers nobody needs.

`import litellm` costs about 4 s of CPU, fetches a price list from the internet unless told not to (and, later,
other tables), and writes to stdout/stderr; all three would hurt a TUI. Everything that needs litellm goes
through `load_litellm()`.

On every call litellm also loads tiktoken's encoding (+40 MB, ~0.5 s the first time) to hand it to the provider
and to price the prompt of a stream by counting its tokens, although providers report usage and we price it
ourselves (core/llm/cost.py). Both are switched off here; `token_counting()` switches the counter back on for
the rare reply whose provider reported no usage.

Loaded beside a UI (`warm_up_in_background()`), the import must not hold the interpreter lock for long: the
collector is paused during it (its full passes were the long holds, up to 250 ms), the tokenizer file is not
parsed, and the switch interval is short while it runs. `benchmarks/gil_stalls.py` lists what still holds the
lock, and for how long. The loading thread runs below the UI threads' OS priority (`background_load`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from agent_tui.core import collector
from agent_tui.core.free_memory import give_back_free_memory
from agent_tui.core.llm import background_load

log = logging.getLogger("agent_tui.llm")

_LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")

_lock = threading.Lock()
_module: ModuleType | None = None
_warm_thread: threading.Thread | None = None
_warm_thread_lock = threading.Lock()  # not `_lock`, which the import holds for seconds: the UI never waits here


def load_litellm() -> ModuleType:
    """The litellm module, imported on first use (thread-safe) and configured for an embedded, quiet life."""
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            # All set before the import: the cost map is fetched and the log level read at import time.
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            # litellm's switch for everything it would fetch on its own rather than from a provider we configured:
            # besides the price list, Anthropic's beta-header table (fetched from GitHub at the first call that
            # filters betas) and Hugging Face tokenizers. The copies bundled with it are used instead.
            os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
            os.environ.setdefault("LITELLM_LOG", "ERROR")
            from agent_tui.core.llm import fast_path

            fast_path.use_base_http_handler_for_openai()
            with import_without_gc_passes(), _tokenizer_file_unparsed():
                import litellm

            litellm.suppress_debug_info = True  # stops "Provider List: ..." prints for unpriced models
            if hasattr(litellm, "telemetry"):
                litellm.telemetry = False
            litellm.drop_params = True  # unsupported params (e.g. temperature on some models) are dropped
            fast_path.quiet_wrapper(litellm)
            _quiet_loggers()
            _skip_eager_tokenizers(litellm)
            _serve_tokenizer_text_lazily()
            _one_copy_of_the_price_list(litellm)
            _file_ids_remapped_only_with_files()
            _module = litellm
    return _module


@contextlib.contextmanager
def import_without_gc_passes() -> Iterator[None]:
    """Import with the cyclic garbage collector paused, then freeze what was loaded out of its reach.

    `import litellm` allocates about 380,000 tracked objects. With the collector on, the heap's growth sets off
    about seven full collections during the import, each walking everything loaded so far in one C call that
    holds the interpreter lock: 40–250 ms of CPU apiece (`benchmarks/gil_stalls.py`), 1.3 s in all, and every
    later full collection, in whichever thread it falls (the UI's included), walks them again for ~270 ms.
    Paused, the import takes about 2.4 s of CPU instead of 3.9 s; `gc.freeze()` then moves every object alive at
    that point into the permanent generation, which collections skip. The price: the import's own reference
    cycles (about 2,000 objects, less than a megabyte) and any made by other threads during the pause are never
    reclaimed. Reference counting, which frees almost everything, is unaffected.
    """
    # The pause nests with the start-up's (`collector`): the collector comes back on when both have ended.
    with collector.paused("import litellm"):
        yield


def _quiet_loggers() -> None:
    """Remove litellm's terminal handlers; its records reach our logging (root handlers) at WARNING and up."""
    for name in _LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            stream = getattr(handler, "stream", None)
            is_terminal = isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
            if is_terminal or stream in (sys.stdout, sys.stderr):
                # Its filters redact secrets; keep them on the logger so they still apply upstream of our handlers.
                for flt in handler.filters:
                    if flt not in logger.filters:
                        logger.addFilter(flt)
                logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = True


class _LazyEncoding:
    """Stands in for litellm's default tiktoken encoding and loads it only when something really uses it."""

    _real: object | None = None

    def __getattr__(self, name: str) -> object:
        if _LazyEncoding._real is None:
            from litellm._lazy_imports import get_default_encoding

            _LazyEncoding._real = get_default_encoding()
        return getattr(_LazyEncoding._real, name)


def _skip_eager_tokenizers(litellm: ModuleType) -> None:
    # `disable_token_counter` is litellm's own switch (token_counter returns 0). `litellm.main.encoding` is the
    # encoding its dispatch hands every provider; a lazy stand-in keeps tiktoken's data unloaded until used.
    # tests/llm/test_litellm_loader.py fails loudly if a litellm upgrade moves either.
    litellm.disable_token_counter = True
    import litellm.main as litellm_main

    litellm_main.encoding = _LazyEncoding()


_TOKENIZER_FILE = "anthropic_tokenizer.json"
_UNPARSED = "{}"  # what `litellm.utils` makes of the tokenizer file while `_tokenizer_file_unparsed()` is on


@contextlib.contextmanager
def _tokenizer_file_unparsed() -> Iterator[None]:
    """While litellm imports, `json.load` of its Anthropic tokenizer file returns an empty tree.

    At import `litellm.utils` parses that 1.7 MB file, checks the tree with pydantic and dumps it back to text
    (`claude_json_str`, which only counting an old Claude model's tokens reads): three C calls that hold the
    interpreter lock 30-80 ms each beside the UI (`benchmarks/gil_stalls.py`), and a 5 MB tree nothing keeps.
    `_serve_tokenizer_text_lazily()` then serves the file's own text on first use. Every other `json.load`, in
    any thread, is the real one.
    """
    real_load = json.load

    def load(fp: IO[str], *args: Any, **kwargs: Any) -> Any:  # json.load's own signature
        if Path(str(getattr(fp, "name", ""))).name == _TOKENIZER_FILE and "litellm" in str(fp.name):
            return {}
        return real_load(fp, *args, **kwargs)

    json.load = load
    try:
        yield
    finally:
        json.load = real_load


def _serve_tokenizer_text_lazily() -> None:
    # `from litellm.utils import claude_json_str` falls back to the module's `__getattr__` when the name is
    # missing, so the unparsed placeholder goes and a wrapper reads the file the first time something asks.
    # If a litellm upgrade loads the file some other way, the placeholder is not there and nothing changes;
    # tests/llm/test_litellm_loader.py checks old Claude models still count, and count the same.
    utils = sys.modules.get("litellm.utils")
    if utils is None or getattr(utils, "__dict__", {}).get("claude_json_str") != _UNPARSED:
        return
    del utils.claude_json_str
    if isinstance(utils.__dict__.get("json_data"), dict):
        del utils.json_data  # the empty tree: nothing reads it after the import
    module_getattr = utils.__dict__.get("__getattr__")

    def __getattr__(name: str) -> object:  # the module's own hook (PEP 562)
        if name == "claude_json_str":
            return _tokenizer_text()
        if module_getattr is None:
            raise AttributeError(f"module 'litellm.utils' has no attribute {name!r}")
        return module_getattr(name)

    utils.__getattr__ = __getattr__


@functools.cache
def _tokenizer_text() -> str:
    from importlib import resources

    return resources.files("litellm.litellm_core_utils.tokenizers").joinpath(_TOKENIZER_FILE).read_text("utf-8")


def _one_copy_of_the_price_list(litellm: ModuleType) -> None:
    """litellm's lookups in "the bundled price list" read `litellm.model_cost`, which is that list.

    Every Anthropic call asks the model's capabilities (`AnthropicModelInfo._get_model_capability`) of
    `litellm.model_cost` and then of `litellm.utils.get_bundled_model_cost_map()`, which parses the bundled file
    again and keeps it: a second copy of the 3.5 MB list, 11 MB for the life of the process (the warm-up's
    Anthropic call made it for every user). Loaded offline (LITELLM_LOCAL_MODEL_COST_MAP, set above unless the
    user chose otherwise), `model_cost` is that same file with its alias rows resolved, so both lookups give the
    same answers (tests/llm/test_litellm_loader.py compares them for every Anthropic model and capability).
    """
    utils = sys.modules.get("litellm.utils")
    original = getattr(utils, "get_bundled_model_cost_map", None)
    if os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP", "").lower() != "true" or not callable(original):
        return

    @functools.wraps(original)
    def bundled_model_cost_map() -> dict[str, Any]:
        return litellm.model_cost  # type: ignore[no-any-return]

    utils.get_bundled_model_cost_map = bundled_model_cost_map
    if getattr(utils, "_get_bundled_model_cost_map", None) is original:
        utils._get_bundled_model_cost_map = bundled_model_cost_map


def _file_ids_remapped_only_with_files() -> None:
    """litellm's proxy models load only for a message that has a file part (which agent-tui never sends).

    Every call runs `update_messages_with_model_file_ids`, which imports the litellm proxy's file-endpoint helpers
    and with them `litellm.proxy._types` (28 modules, 5 MB) to rewrite managed-file ids in user messages'
    `{"type": "file"}` parts; with no such part it returns the messages untouched. So it is called only then.
    """
    main = sys.modules.get("litellm.main")
    original = getattr(main, "update_messages_with_model_file_ids", None)
    if not callable(original):
        return

    @functools.wraps(original)
    def update_messages_with_model_file_ids(messages: Any, *args: Any, **kwargs: Any) -> Any:
        if not _has_file_part(messages):
            return messages
        return original(messages, *args, **kwargs)

    main.update_messages_with_model_file_ids = update_messages_with_model_file_ids


def _has_file_part(messages: Any) -> bool:
    if not isinstance(messages, list):
        return True  # not the shape we know: let litellm decide
    for message in messages:
        if not isinstance(message, dict):
            return True
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, list):
            if any(isinstance(part, dict) and part.get("type") == "file" for part in content):
                return True
    return False


_counting_lock = threading.Lock()
_counting = 0  # threads inside token_counting()


@contextlib.contextmanager
def token_counting() -> Iterator[ModuleType]:
    """litellm with its token counter switched on, for counting a reply whose provider sent no usage.

    The switch is one global (litellm has no per-call option): it is on while any thread counts, so two counts
    at once both count and the first to finish cannot switch it off under the other. A provider call made
    meanwhile may count its prompt too, which only costs time (we price from the usage we get or count)."""
    global _counting
    litellm = load_litellm()
    with _counting_lock:
        _counting += 1
        litellm.disable_token_counter = False
    try:
        yield litellm
    finally:
        with _counting_lock:
            _counting -= 1
            if _counting == 0:
                litellm.disable_token_counter = True


def is_loaded() -> bool:
    return _module is not None


def warm_up_in_background() -> threading.Thread:
    """Import litellm and pay its first-call setup in a daemon thread; call after the first frame is painted.

    Returns the thread (already started; the same one on later calls) so a caller may join it.
    """
    global _warm_thread
    with _warm_thread_lock:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_warm_up, name=WARM_UP_THREAD_NAME, daemon=True)
            _warm_thread.start()
        return _warm_thread


WARM_UP_THREAD_NAME = "litellm-warm-up"


# While litellm loads beside a UI, every thread on a keystroke's way to the screen (Textual's input thread, the
# event loop, its writer thread) must take the interpreter lock back from the loading thread, and waits up to the
# switch interval for it: 5 ms by default, at each hand-over. 1 ms while loading, the default again afterwards.
LOADING_SWITCH_INTERVAL = 0.001


def _warm_up() -> None:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, LOADING_SWITCH_INTERVAL))
    try:
        with background_load.in_background(WARM_UP_THREAD_NAME):  # named, below the UI threads' priority
            litellm = load_litellm()
            asyncio.run(_first_call_setup(litellm))
    except Exception:  # warm-up is an optimisation: a failure here must never reach the user
        log.warning("litellm warm-up failed", exc_info=True)
    finally:
        sys.setswitchinterval(previous)
    # The refused calls formatted tracebacks (2 MB of litellm's source kept in `linecache`) and the set-up freed a
    # few MB of C heap that glibc would keep: both go back before the app sits idle (core/free_memory.py).
    give_back_free_memory()
    # litellm leaves ~400k objects that live as long as the process. Every full collection scanned them again: a
    # 0.3-1 s pause in the middle of a streaming reply. Frozen, collections only look at what came after. The
    # import's own objects are frozen already (`import_without_gc_passes`); this adds what the first calls loaded.
    collector.freeze_long_lived()


async def _first_call_setup(litellm: ModuleType) -> None:
    """Pay litellm's one-time setup of a streamed call (about 0.5 s here) before the user's first prompt.

    Each call goes to a port of our own on 127.0.0.1 that is bound but not listening, so the connection is
    refused at once: the whole request path runs (provider modules, transformations, HTTP clients) and
    nothing leaves the machine. Mocked calls would load tokenizers (+170 MB) for their fake usage instead.
    """
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed_port.getsockname()[1]}"
        for model, api_base in (("openai/warm-up", f"{base}/v1"), ("anthropic/warm-up", base)):
            try:
                response = await litellm.acompletion(
                    model=model, api_base=api_base, api_key="sk-warm-up-not-a-key", stream=True,
                    messages=[{"role": "user", "content": "warm up"}], max_retries=0, num_retries=0, timeout=5,
                )
                await response.completion_stream.aclose()
            except Exception as exc:  # refused, as intended
                log.debug("warm-up call to %s ended as expected: %s", model, type(exc).__name__)
