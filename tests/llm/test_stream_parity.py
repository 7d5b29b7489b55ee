"""The fast path (litellm's per-provider chunk parser) and litellm's wrapper give the same events and errors.

Every provider family we route, over real HTTP against the scripted server: the same replies read both ways
must give identical events (text, reasoning, thinking signatures, tool calls, usage with cache buckets, finish
reasons) and errors of the same kind. When a litellm upgrade changes what `completion_stream` is, the first
test fails and names the provider: update `FAST_ITERATORS` only after these tests pass with the new class.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent_tui.core.llm.errors import ProviderError
from agent_tui.core.llm.fast_path import FAST_ITERATORS, class_path, fast_chunks
from agent_tui.core.llm.litellm_loader import load_litellm
from agent_tui.core.llm.stream import LLMRequest, Usage, stream_completion
from agent_tui.testing import (
    FakeLLM,
    Reply,
    drop,
    end_early,
    error,
    finish,
    malformed,
    reasoning,
    text,
    tool_call,
    usage,
)

# litellm model string → (our provider name, wire protocol the scripted server speaks)
FAMILIES: dict[str, str] = {
    "openai/gpt-4o": "openai",
    "hosted_vllm/my-local-model": "openai",
    "anthropic/claude-sonnet-4-5": "anthropic",
    "openrouter/openai/gpt-4o": "openai",
    "deepseek/deepseek-chat": "openai",
    "groq/llama-3.3-70b-versatile": "openai",
    "mistral/mistral-large-latest": "openai",
    "xai/grok-3": "openai",
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": name,
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
        },
    }
    for name in ("read", "grep")
]
MESSAGES = [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "look at a.py"}]

REPLIES: dict[str, Reply] = {
    "everything": Reply.of(
        reasoning("Let me look at the file first.", chunks=4),
        text("Reading it now.", chunks=3),
        tool_call("read", {"path": "a.py"}, id="call_a", chunks=4),
        tool_call("grep", {"path": "b.py"}, id="call_b", chunks=2),
        usage(120, 30, reasoning=8, cache_read=40, cache_write=16),
    ),
    "plain_text": Reply.of(text("Hello there, how can I help with this project today? " * 5), usage(11, 60)),
    "cut_at_length": Reply.of(text("This reply is long and gets cut", chunks=6), finish("length"), usage(5, 7)),
    "tool_call_says_stop": Reply.of(tool_call("read", {"path": "x"}, id="call_x"), finish("stop"), usage(9, 4)),
    "malformed_tool_arguments": Reply.of(tool_call("read", '{"path": "a.py"', id="call_m"), usage(3, 3)),
}
FAULTS: dict[str, Reply] = {
    "rate_limit": Reply.of(error(429, retry_after=0)),
    "auth": Reply.of(error(401, message="invalid api key")),
    "server_error_mid_stream": Reply.of(text("half of", chunks=2), error(500, message="overloaded")),
    "dropped_mid_stream": Reply.of(text("half of", chunks=2), drop()),
    "malformed_mid_stream": Reply.of(text("half of", chunks=2), malformed(), text("never seen")),
    "malformed_first": Reply.of(malformed(), text("never seen")),
    "ended_early": Reply.of(text("half of", chunks=2), end_early()),
}


def _request(srv: FakeLLM, model: str, **extra: Any) -> LLMRequest:
    protocol = FAMILIES[model]
    return LLMRequest(
        model=model,
        provider=model.split("/", 1)[0],
        api_base=srv.anthropic_base if protocol == "anthropic" else srv.openai_base,
        api_key="sk-parity-test",
        messages=MESSAGES,
        tools=TOOLS,
        **extra,
    )


async def _play(
    reply: Reply, model: str, path: str, *, normalise: bool = True
) -> tuple[list[dict[str, Any]], str | None]:
    """One reply on a server of its own (the fake numbers ids and signatures by reply)."""
    events: list[dict[str, Any]] = []
    async with FakeLLM([reply]) as srv:
        try:
            async for event in stream_completion(_request(srv, model), path=path, max_attempts=1):  # type: ignore[arg-type]
                events.append(event.model_dump())
        except ProviderError as err:
            return events, err.kind
        if normalise and not srv.requests[0].include_usage and FAMILIES[model] == "openai":
            # litellm does not ask this provider for usage, so the fake sends none and both paths count tokens
            # (the wrapper's own counter is off, so both count through token_count): "counted, never zero".
            events = [_counted(e, estimated=True) if e["type"] == "usage" else e for e in events]
    return events, None


def _counted(event: dict[str, Any], *, estimated: bool) -> dict[str, Any]:
    assert event["input_tokens"] > 0 and event["output_tokens"] > 0
    assert event["estimated"] is estimated
    return {"type": "usage", "counted": True}


@pytest.mark.parametrize("model", list(FAMILIES))
async def test_completion_stream_is_the_parser_the_fast_path_was_tested_with(model: str) -> None:
    litellm = load_litellm()
    async with FakeLLM([Reply.of(text("hi"))]) as srv:
        req = _request(srv, model)
        response = await litellm.acompletion(
            model=model, messages=MESSAGES, stream=True, api_base=req.api_base, api_key=req.api_key
        )
        try:
            provider = response.custom_llm_provider
            found = class_path(response.completion_stream)
            assert found == FAST_ITERATORS.get(provider), (
                f"litellm {litellm.__version__ if hasattr(litellm, '__version__') else ''} changed the stream of "
                f"{provider}: completion_stream is now {found}; {model} now reads the slow wrapper. Check the "
                "parity tests with the new class, then update FAST_ITERATORS in core/llm/fast_path.py."
            )
            assert fast_chunks(response) is response.completion_stream
        finally:
            await response.aclose()


@pytest.mark.parametrize("name", list(REPLIES))
@pytest.mark.parametrize("model", list(FAMILIES))
async def test_fast_path_gives_the_events_of_the_wrapper(model: str, name: str) -> None:
    fast, fast_error = await _play(REPLIES[name], model, "auto")
    slow, slow_error = await _play(REPLIES[name], model, "wrapper")
    assert fast_error is None and slow_error is None
    assert fast == slow
    assert fast[-1]["type"] == "finish" and any(e["type"] == "usage" for e in fast)


@pytest.mark.parametrize("model", list(FAMILIES))
async def test_a_tool_call_that_says_stop_is_reported_as_tool_calls(model: str) -> None:
    events, _ = await _play(REPLIES["tool_call_says_stop"], model, "auto")
    assert events[-1] == {"type": "finish", "reason": "tool_calls"}


async def test_anthropic_thinking_signature_usage_and_cache_are_identical() -> None:
    fast, _ = await _play(REPLIES["everything"], "anthropic/claude-sonnet-4-5", "auto")
    signatures = [e["signature"] for e in fast if e["type"] == "reasoning" and e["signature"]]
    assert signatures == ["fakesig-0-0"]
    used = next(e for e in fast if e["type"] == "usage")
    assert (used["input_tokens"], used["cache_read_tokens"], used["cache_write_tokens"]) == (120, 40, 16)
    assert used["estimated"] is False


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("model", list(FAMILIES))
async def test_faults_map_to_the_same_error_kinds(model: str, fault: str) -> None:
    fast, fast_error = await _play(FAULTS[fault], model, "auto")
    slow, slow_error = await _play(FAULTS[fault], model, "wrapper")
    expected = {
        "rate_limit": {"rate_limit"},
        "auth": {"auth"},
        # litellm maps OpenRouter's and Groq's in-stream error events to no particular class, on both paths alike.
        "server_error_mid_stream": {"server", "unknown"} if model.startswith(("openrouter/", "groq/")) else {"server"},
        "dropped_mid_stream": {"connection"},
        "malformed_mid_stream": {"malformed"},
        "malformed_first": {"malformed"},
        "ended_early": {"connection"},
    }[fault]
    assert fast_error == slow_error and fast_error in expected
    assert fast == slow  # what arrived before the fault, identical


@pytest.mark.parametrize("model", [m for m, protocol in FAMILIES.items() if protocol == "openai"])
async def test_a_provider_that_sends_no_usage_is_counted_never_zero(model: str) -> None:
    reply = Reply.of(text("Counted by the tokenizer because the server reports nothing. " * 3), send_usage=False)
    fast, _ = await _play(reply, model, "auto", normalise=False)
    slow, _ = await _play(reply, model, "wrapper", normalise=False)
    fast_usage = Usage(**next(e for e in fast if e["type"] == "usage"))
    slow_usage = Usage(**next(e for e in slow if e["type"] == "usage"))
    assert fast_usage.estimated and fast_usage.input_tokens > 0 and fast_usage.output_tokens > 0
    assert slow_usage.input_tokens > 0 and slow_usage.output_tokens > 0


async def test_openai_base_handler_sends_the_extra_headers_and_the_key() -> None:
    async with FakeLLM([Reply.of(text("a")), Reply.of(text("b"))]) as srv:
        for path in ("auto", "wrapper"):
            req = _request(srv, "openai/gpt-4o", extra_headers={"X-Agent-Test": "parity"})
            async for _ in stream_completion(req, path=path):  # type: ignore[arg-type]
                pass
        assert [r.headers.get("x-agent-test") for r in srv.requests] == ["parity", "parity"]
        assert all(r.auth_present for r in srv.requests)


async def test_gemini_opens_its_stream_lazily_so_it_reads_the_wrapper() -> None:
    # litellm returns Gemini's wrapper before the request is made (`completion_stream` is None until the wrapper
    # is first iterated), so there is no parser to read below it: the wrapper path is the one used. The scripted
    # server speaks no Gemini wire format, so this family has no parity run.
    litellm = load_litellm()
    async with FakeLLM() as srv:
        response = await litellm.acompletion(
            model="gemini/gemini-2.0-flash", messages=MESSAGES, stream=True, api_base=srv.base_url,
            api_key="sk-parity-test",
        )
        try:
            assert response.completion_stream is None
            assert fast_chunks(response) is None
            assert srv.requests == []
        finally:
            await response.aclose()
