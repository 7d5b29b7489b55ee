"""The litellm stream adapter, over real HTTP against the scripted server, for openai/ and anthropic/ models."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_tui.core.llm.errors import ProviderError, to_provider_error
from agent_tui.core.llm.stream import (
    Finish,
    LLMRequest,
    ReasoningDelta,
    Retrying,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    Usage,
    stream_completion,
)
from agent_tui.testing import FakeLLM, Reply, delay, drop, error, malformed, reasoning, text, tool_call, usage

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read",
            "description": "Read a file",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "grep",
            "description": "Search",
            "parameters": {"type": "object", "properties": {"pattern": {"type": "string"}}},
        },
    },
]
MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "look at a.py"}]
PROTOCOLS = ["openai", "anthropic"]


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def request(srv: FakeLLM, protocol: str, **overrides: Any) -> LLMRequest:
    if protocol == "openai":
        fields: dict[str, Any] = dict(
            model="openai/gpt-4o", provider="openai", api_base=srv.openai_base, key_env="OPENAI_API_KEY"
        )
    else:
        fields = dict(
            model="anthropic/claude-sonnet-4-5",
            provider="anthropic",
            api_base=srv.anthropic_base,
            key_env="ANTHROPIC_API_KEY",
        )
    fields.update(messages=MESSAGES, tools=TOOLS, api_key="sk-test", **overrides)
    return LLMRequest(**fields)


async def collect(stream: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in stream]


async def collect_until_error(stream: AsyncIterator[StreamEvent]) -> tuple[list[StreamEvent], ProviderError]:
    events: list[StreamEvent] = []
    with pytest.raises(ProviderError) as info:
        async for event in stream:
            events.append(event)
    return events, info.value


def of_type(events: list[StreamEvent], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_text_reasoning_and_two_chunked_tool_calls(protocol: str) -> None:
    reply = Reply.of(
        reasoning("I should read the file first."),
        text("Let me look.", chunks=3),
        tool_call("read", {"path": "a.py"}, id="call_r", chunks=4),
        tool_call("grep", {"pattern": "def \\w+"}, id="call_g", chunks=3),
    )
    async with FakeLLM([reply]) as srv:
        events = await collect(stream_completion(request(srv, protocol)))
    assert "".join(e.text for e in of_type(events, ReasoningDelta)) == "I should read the file first."
    assert "".join(e.text for e in of_type(events, TextDelta)) == "Let me look."
    assert len(of_type(events, TextDelta)) == 3
    calls = of_type(events, ToolCall)
    assert [(c.index, c.id, c.name, c.arguments, c.error) for c in calls] == [
        (0, "call_r", "read", {"path": "a.py"}, None),
        (1, "call_g", "grep", {"pattern": "def \\w+"}, None),
    ]
    assert calls[0].arguments_raw == '{"path": "a.py"}'
    started = of_type(events, ToolCallStarted)
    assert [(s.index, s.id, s.name) for s in started] == [(0, "call_r", "read"), (1, "call_g", "grep")]
    # Each call is complete before the next starts, and all come before usage and finish.
    kinds = [type(e).__name__ for e in events if not isinstance(e, ReasoningDelta | TextDelta)]
    assert kinds == [
        "ToolCallStarted",
        "ToolCall",
        "ToolCallStarted",
        "ToolCall",
        "Usage",
        "Finish",
    ]
    assert events[-1] == Finish(reason="tool_calls")
    assert len(srv.requests) == 1
    sent = srv.requests[0]
    assert sent.stream and sent.auth_present
    assert sorted(t.get("name") or t["function"]["name"] for t in sent.tools) == ["grep", "read"]
    if protocol == "openai":
        assert sent.include_usage and sent.body["temperature"] == 0
        assert sent.messages == MESSAGES
    else:
        assert sent.system == [{"type": "text", "text": "You are terse."}]


async def test_anthropic_thinking_signature_is_reported() -> None:
    async with FakeLLM([Reply.of(reasoning("hmm"), text("ok"))]) as srv:
        events = await collect(stream_completion(request(srv, "anthropic")))
    signatures = [e.signature for e in of_type(events, ReasoningDelta) if e.signature]
    assert signatures == ["fakesig-0-0"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_usage_buckets_do_not_overlap(protocol: str) -> None:
    # Script usage is already in our disjoint buckets; the wires fold them the provider's way and back.
    scripted = usage(1000, 200, reasoning=50 if protocol == "openai" else 0, cache_read=300, cache_write=40)
    async with FakeLLM([Reply.of(text("hi"), scripted)]) as srv:
        events = await collect(stream_completion(request(srv, protocol)))
    (u,) = of_type(events, Usage)
    assert u.input_tokens == 1000
    assert u.cache_read_tokens == 300
    assert u.cache_write_tokens == 40
    assert u.output_tokens == 200
    assert u.reasoning_tokens == (50 if protocol == "openai" else 0)
    assert u.total_tokens == 1000 + 300 + 40 + 200 + u.reasoning_tokens
    assert events[-1] == Finish(reason="stop")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_auth_error_names_provider_and_key_variable_without_retry(protocol: str) -> None:
    sleep = FakeSleep()
    async with FakeLLM([Reply.of(error(401, message="invalid x-api-key"))]) as srv:
        events, err = await collect_until_error(stream_completion(request(srv, protocol), sleep=sleep))
        assert len(srv.requests) == 1
    assert events == [] and sleep.delays == []
    assert err.kind == "auth" and err.status == 401 and not err.retryable
    key_env = "OPENAI_API_KEY" if protocol == "openai" else "ANTHROPIC_API_KEY"
    assert err.message.startswith(f"Authentication failed for provider '{protocol}': check {key_env}")
    assert "sk-test" not in err.message and "sk-test" not in repr(err)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_missing_key_is_an_auth_error_before_any_request(protocol: str) -> None:
    # The autouse fixture in tests/conftest.py removes provider keys from the environment.
    sleep = FakeSleep()
    async with FakeLLM([Reply.of(text("unused"))]) as srv:
        req = request(srv, protocol).model_copy(update={"api_key": None})
        events, err = await collect_until_error(stream_completion(req, sleep=sleep))
        assert srv.requests == []
    assert events == [] and sleep.delays == []
    key_env = "OPENAI_API_KEY" if protocol == "openai" else "ANTHROPIC_API_KEY"
    assert err.kind == "auth" and err.message == f"No API key for provider '{protocol}': set {key_env}"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_rate_limit_honours_retry_after_then_succeeds(protocol: str) -> None:
    sleep = FakeSleep()
    async with FakeLLM([Reply.of(error(429, retry_after=3)), Reply.of(text("done"))]) as srv:
        events = await collect(stream_completion(request(srv, protocol), sleep=sleep, base_delay=0.01))
        assert len(srv.requests) == 2
    retrying = of_type(events, Retrying)
    assert len(retrying) == 1
    assert (retrying[0].attempt, retrying[0].delay) == (1, 3.0)
    assert "Rate limited" in retrying[0].error
    assert sleep.delays == [3.0]
    assert isinstance(events[0], Retrying)
    assert "".join(e.text for e in of_type(events, TextDelta)) == "done"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_server_errors_back_off_exponentially_then_succeed(protocol: str) -> None:
    sleep = FakeSleep()
    script = [Reply.of(error(500)), Reply.of(error(503)), Reply.of(text("ok"))]
    async with FakeLLM(script) as srv:
        events = await collect(stream_completion(request(srv, protocol), sleep=sleep, base_delay=0.5))
        assert len(srv.requests) == 3
    assert [(r.attempt, r.delay) for r in of_type(events, Retrying)] == [(1, 0.5), (2, 1.0)]
    assert sleep.delays == [0.5, 1.0]
    assert of_type(events, TextDelta) == [TextDelta(text="ok")]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_retries_stop_at_max_attempts(protocol: str) -> None:
    sleep = FakeSleep()
    async with FakeLLM([Reply.of(error(500))] * 3) as srv:
        events, err = await collect_until_error(
            stream_completion(request(srv, protocol), sleep=sleep, max_attempts=3, base_delay=1)
        )
        assert len(srv.requests) == 3
    assert err.kind == "server" and err.status == 500
    assert sleep.delays == [1, 2]
    assert len(events) == 2


async def test_connection_refused_is_retried_as_a_connection_error() -> None:
    with socket_port() as port:
        pass  # the port is free again: nothing listens there
    req = LLMRequest(
        model="openai/gpt-4o",
        provider="openai",
        messages=MESSAGES,
        api_base=f"http://127.0.0.1:{port}/v1",
        api_key="sk-test",
    )
    sleep = FakeSleep()
    events, err = await collect_until_error(stream_completion(req, sleep=sleep, max_attempts=2, base_delay=0.1))
    assert err.kind == "connection" and err.retryable
    assert "Could not reach provider 'openai'" in err.message
    assert [type(e) for e in events] == [Retrying]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("failure", ["error", "drop"])
async def test_failure_after_output_is_raised_not_retried(protocol: str, failure: str) -> None:
    sleep = FakeSleep()
    cut = error(500, message="overloaded") if failure == "error" else drop()
    async with FakeLLM([Reply.of(text("partial answer", chunks=2), cut), Reply.of(text("unused"))]) as srv:
        events, err = await collect_until_error(stream_completion(request(srv, protocol), sleep=sleep))
        assert len(srv.requests) == 1
    assert "".join(e.text for e in of_type(events, TextDelta)) == "partial answer"
    assert of_type(events, Retrying) == [] and sleep.delays == []
    assert err.provider == protocol
    assert "broke off" in err.message
    assert "sk-test" not in err.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_malformed_tool_arguments_are_reported_and_stream_continues(protocol: str) -> None:
    reply = Reply.of(
        tool_call("read", '{"path": "a.py"', id="c1", chunks=2),
        tool_call("grep", "[1, 2]", id="c2"),
        tool_call("read", {"path": "b.py"}, id="c3"),
    )
    async with FakeLLM([reply]) as srv:
        events = await collect(stream_completion(request(srv, protocol)))
    calls = of_type(events, ToolCall)
    assert [c.id for c in calls] == ["c1", "c2", "c3"]
    assert calls[0].arguments is None and "not valid JSON" in (calls[0].error or "")
    assert calls[0].arguments_raw == '{"path": "a.py"'
    assert calls[1].arguments is None and "JSON object" in (calls[1].error or "")
    assert calls[2].arguments == {"path": "b.py"} and calls[2].error is None
    assert events[-1] == Finish(reason="tool_calls")


async def test_tool_call_without_arguments_is_an_empty_object() -> None:
    async with FakeLLM([Reply.of(tool_call("grep", ""))]) as srv:
        events = await collect(stream_completion(request(srv, "openai")))
    (call,) = of_type(events, ToolCall)
    assert call.arguments == {} and call.error is None


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_closing_the_stream_closes_the_connection(protocol: str) -> None:
    async with FakeLLM([Reply.of(text("first"), delay(30), text("never"))]) as srv:
        stream = stream_completion(request(srv, protocol))
        async for event in stream:
            if isinstance(event, TextDelta):
                break
        await stream.aclose()  # type: ignore[attr-defined]
        await srv.wait_idle(5)
        assert srv.requests[0].disconnected


async def test_cancelling_the_consumer_closes_the_connection() -> None:
    async with FakeLLM([Reply.of(text("first"), delay(30), text("never"))]) as srv:
        got_first = asyncio.Event()

        async def consume() -> None:
            async for event in stream_completion(request(srv, "openai")):
                if isinstance(event, TextDelta):
                    got_first.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got_first.wait(), 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await srv.wait_idle(5)
        assert srv.requests[0].disconnected


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_temperature_rejection_retries_once_without_it(protocol: str) -> None:
    rejection = error(400, message="Unsupported parameter: 'temperature' is not supported with this model.")
    sleep = FakeSleep()
    async with FakeLLM([Reply.of(rejection), Reply.of(text("ok"))]) as srv:
        events = await collect(stream_completion(request(srv, protocol, temperature=0.2), sleep=sleep))
        assert [r.body.get("temperature") for r in srv.requests] == [0.2, None]
    assert of_type(events, Retrying) == [] and sleep.delays == []
    assert of_type(events, TextDelta) == [TextDelta(text="ok")]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_context_overflow_and_bad_request_are_not_retried(protocol: str) -> None:
    script = [
        Reply.of(error(400, message="prompt is too long: 210000 tokens > 200000 maximum")),
        Reply.of(error(400, message="messages: field required")),
    ]
    async with FakeLLM(script) as srv:
        _, overflow = await collect_until_error(stream_completion(request(srv, protocol)))
        _, bad = await collect_until_error(stream_completion(request(srv, protocol)))
        assert len(srv.requests) == 2
    assert overflow.kind == "context_overflow" and not overflow.retryable
    assert bad.kind == "bad_request" and "messages: field required" in bad.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_malformed_event_is_reported_as_malformed_not_retried(protocol: str) -> None:
    # It used to be retried six times and then blamed on the network (issue 10); litellm's own parsers would
    # otherwise drop the garbage line, and the text in it, without a word.
    sleep = FakeSleep()
    async with FakeLLM([Reply.of(malformed()), Reply.of(text("ok"))]) as srv:
        events, err = await collect_until_error(stream_completion(request(srv, protocol), sleep=sleep))
        assert len(srv.requests) == 1
    assert events == [] and sleep.delays == []
    assert err.kind == "malformed" and not err.retryable
    assert "sent a malformed stream" in err.message and "network" not in err.message.split("not the")[0]


def test_request_never_shows_its_key() -> None:
    req = LLMRequest(model="openai/x", provider="openai", messages=[], api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(req)
    assert "api_key" not in req.model_dump()
    assert "sk-very-secret" not in req.model_dump_json()


def test_error_mapping_without_litellm() -> None:
    response = httpx.Response(429, headers={"retry-after-ms": "1500"}, request=httpx.Request("POST", "http://x"))
    exc = httpx.HTTPStatusError("rate limited sk-abcdefghijkl", request=response.request, response=response)
    err = to_provider_error(exc, provider="openai")
    assert (err.kind, err.status, err.retry_after, err.retryable) == ("rate_limit", 429, 1.5, True)
    assert "sk-abcdefghijkl" not in err.message
    dropped = to_provider_error(httpx.RemoteProtocolError("peer closed connection"), provider="anthropic")
    assert dropped.kind == "connection" and dropped.retryable
    secret = to_provider_error(RuntimeError("bad key MYKEY123 rejected"), provider="p", secrets=["MYKEY123"])
    assert "MYKEY123" not in secret.message and secret.kind == "unknown"
    assert ProviderError.aborted("openai").info().kind == "aborted"


def test_importing_the_adapter_does_not_import_litellm() -> None:
    code = (
        "import sys, agent_tui.core.llm, agent_tui.core.llm.stream, agent_tui.core.llm.errors, "
        "agent_tui.testing.fake_llm; assert 'litellm' not in sys.modules, 'litellm imported'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=180)


class socket_port:
    """Reserve a free port and release it on exit, yielding its number."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_events_round_trip_through_json() -> None:
    from pydantic import TypeAdapter

    adapter: TypeAdapter[StreamEvent] = TypeAdapter(StreamEvent)
    event = ToolCall(index=0, id="c", name="read", arguments_raw="{}", arguments={})
    assert adapter.validate_json(json.dumps(event.model_dump())) == event
