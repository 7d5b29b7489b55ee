"""What litellm keeps after a reply: one copy of its price list, and none of its proxy's models.

The memory checks run in fresh interpreters (litellm's caches and modules are process-wide): real streamed
replies from the scripted server, then the capability lookups litellm makes per Anthropic call, answered from
its own table and from the file parsed again, for every Claude model in the list. Managed-file ids in a file
part are still rewritten, by litellm's own code.
"""

from __future__ import annotations

import base64

import pytest
from child_json import run_child_json

REPLY_CHILD = r"""
import asyncio, json, sys
from agent_tui.core.llm import litellm_loader
from agent_tui.core.llm.stream import LLMRequest, stream_completion
from agent_tui.testing import FakeLLMThread, text

litellm = litellm_loader.load_litellm()
import litellm.utils

async def main():
    with FakeLLMThread([[text("hello there")], [text("hi again")], [text("and again")]]) as srv:
        for model in ("anthropic/claude-sonnet-4-5", "anthropic/not-in-the-price-list", "openai/gpt-4o"):
            base = srv.openai_base if model.startswith("openai/") else srv.anthropic_base
            request = LLMRequest(model=model, provider="p", api_base=base, api_key="sk-test",
                                 messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
            events = [type(e).__name__ async for e in stream_completion(request)]
            assert events[-1] == "Finish", events
    lookup = litellm.utils.get_bundled_model_cost_map
    print(json.dumps({
        "same_table": lookup() is litellm.model_cost,
        "parsed_again": lookup.__wrapped__.cache_info().currsize,
        "proxy_models": "litellm.proxy._types" in sys.modules,
    }))

asyncio.run(main())
"""


@pytest.mark.slow
def test_replies_keep_one_copy_of_the_price_list_and_load_no_proxy_models(subprocess_env: dict[str, str]) -> None:
    found = run_child_json(REPLY_CHILD, subprocess_env)
    # Before: 11 MB held for the life of the process (litellm.utils.get_bundled_model_cost_map's cache), and
    # 5 MB of litellm proxy models imported by every call to rewrite file ids it has none of.
    assert found == {"same_table": True, "parsed_again": 0, "proxy_models": False}


PARITY_CHILD = r"""
import json
from agent_tui.core.llm import litellm_loader

litellm = litellm_loader.load_litellm()
import litellm.utils as utils
from litellm.llms.anthropic.common_utils import AnthropicModelInfo
from litellm.types.utils import LlmProviders

ours = utils.get_bundled_model_cost_map
parsed_again = ours.__wrapped__()  # litellm's own function: the file parsed once more
claude = sorted(k for k in parsed_again if "claude" in k)
flags = sorted({f for k in claude for f, v in parsed_again[k].items() if isinstance(v, bool)})

def answers(source):
    utils.get_bundled_model_cost_map = lambda: source
    capabilities = [AnthropicModelInfo._get_model_capability(m, f) for m in claude for f in flags]
    entries = [dict(utils._get_model_cost_entry_for_provider_config(m.split("/")[-1], LlmProviders.ANTHROPIC))
               for m in claude]
    return capabilities, entries

print(json.dumps({
    "models": len(claude), "flags": len(flags),
    "same": answers(litellm.model_cost) == answers(parsed_again),
    "ours_is_the_table": ours() is litellm.model_cost,
}))
"""


@pytest.mark.slow
def test_capability_lookups_answer_the_same_from_litellms_own_table(subprocess_env: dict[str, str]) -> None:
    # If a litellm upgrade made the two lists differ (a field only in the file), this fails: keep the second copy.
    found = run_child_json(PARITY_CHILD, subprocess_env, timeout=300)
    assert found["models"] > 50 and found["flags"] > 5  # the comparison covers something
    assert found["same"] is True
    assert found["ours_is_the_table"] is True


@pytest.mark.slow
def test_a_file_part_still_gets_its_managed_file_id_rewritten() -> None:
    from agent_tui.core.llm.litellm_loader import load_litellm

    load_litellm()
    import litellm.main
    from litellm.types.utils import SpecialEnums

    unified = f"{SpecialEnums.LITELM_MANAGED_FILE_ID_PREFIX.value}:application/pdf;unified_id,u1;" \
              "llm_output_file_id,file-provider-1;"
    file_id = base64.urlsafe_b64encode(unified.encode()).decode().rstrip("=")
    with_file = [{"role": "user", "content": [{"type": "text", "text": "read it"},
                                              {"type": "file", "file": {"file_id": file_id}}]}]
    out = litellm.main.update_messages_with_model_file_ids(messages=with_file, model_id=None, model_file_id_mapping={})
    assert out[0]["content"][1] == {"type": "file", "file": {"file_id": "file-provider-1", "format": "application/pdf"}}
    plain = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}, {"role": "assistant", "content": "hey"}]
    assert litellm.main.update_messages_with_model_file_ids(messages=plain, model_id=None,
                                                            model_file_id_mapping={}) is plain
