"""The scripted LLM server, exercised with plain httpx (no litellm)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_tui.testing import (
    FakeLLM,
    FakeLLMThread,
    Reply,
    Script,
    delay,
    drop,
    error,
    finish,
    malformed,
    reasoning,
    text,
    tool_call,
    usage,
)
from agent_tui.testing.script import split_text

MESSAGES = [{"role": "user", "content": "hi"}]


def sse_data(body: str) -> list[Any]:
    """The JSON payloads of an OpenAI-style SSE body, with "[DONE]" kept as a string."""
    out: list[Any] = []
    for block in body.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data: "):
                data = line[len("data: ") :]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


def sse_events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, payload) pairs of an Anthropic-style SSE body."""
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


async def post_openai(srv: FakeLLM, client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    payload = {"model": "gpt-test", "messages": MESSAGES, **body}
    return await client.post(f"{srv.openai_base}/chat/completions", json=payload, headers={"Authorization": "Bearer x"})


async def post_anthropic(srv: FakeLLM, client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    payload = {"model": "claude-test", "messages": MESSAGES, "max_tokens": 100, **body}
    return await client.post(f"{srv.anthropic_base}/v1/messages", json=payload, headers={"x-api-key": "secret"})


def test_script_json_forms_and_helpers_agree(tmp_path: Path) -> None:
    raw = [
        [
            {"reasoning": "plan"},
            {"text": "Hello", "chunks": 2},
            {"tool_call": {"id": "call_1", "name": "read", "arguments": {"path": "a.py"}, "chunks": 3}},
            {"usage": {"input": 100, "output": 20}},
        ],
        {"steps": [{"error": {"status": 429, "retry_after": 1}}], "chunk_delay": 0.01},
        [{"delay": 0.05}, {"drop": True}, {"malformed": True}, {"finish": "length"}],
    ]
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"replies": raw}))
    loaded = Script.load(path)
    built = Script.of(
        Reply.of(
            reasoning("plan"), text("Hello", chunks=2), tool_call("read", {"path": "a.py"}, id="call_1"), usage(100, 20)
        ),
        Reply.of(error(429, retry_after=1), chunk_delay=0.01),
        Reply.of(delay(0.05), drop(), malformed(), finish("length")),
    )
    assert loaded == built
    assert Script.model_validate(raw) == built


def test_split_text() -> None:
    assert split_text("Hello there world", None) == ["Hello ", "there ", "world"]
    assert split_text("abcdefg", 3) == ["abc", "de", "fg"]
    assert split_text("ab", 5) == ["a", "b"]
    assert split_text("", 2) == []


async def test_openai_stream_with_reasoning_text_tools_and_usage() -> None:
    reply = Reply.of(
        reasoning("think"),
        text("Hello world", chunks=2),
        tool_call("read", {"path": "a.py"}, id="call_a", chunks=3),
        tool_call("ls", {"dir": "."}),
        usage(100, 20, reasoning=5, cache_read=30),
    )
    async with FakeLLM([reply]) as srv, httpx.AsyncClient() as client:
        r = await post_openai(srv, client, stream=True, stream_options={"include_usage": True}, tools=[{"x": 1}])
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    chunks = sse_data(r.text)
    assert chunks[-1] == "[DONE]"
    deltas = [c["choices"][0]["delta"] for c in chunks[:-2] if c["choices"]]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert "".join(d.get("reasoning_content", "") for d in deltas) == "think"
    assert [d["content"] for d in deltas[1:] if d.get("content")] == ["Hello ", "world"]
    calls = [tc for d in deltas for tc in d.get("tool_calls", [])]
    starts = [tc for tc in calls if "id" in tc]
    assert [(tc["index"], tc["id"], tc["function"]["name"]) for tc in starts] == [
        (0, "call_a", "read"),
        (1, "call_fake0_1", "ls"),
    ]
    args0 = [tc["function"]["arguments"] for tc in calls if tc["index"] == 0 and "id" not in tc]
    assert len(args0) == 3 and json.loads("".join(args0)) == {"path": "a.py"}
    assert chunks[-3]["choices"][0]["finish_reason"] == "tool_calls"
    final = chunks[-2]
    assert final["choices"] == []
    assert final["usage"]["prompt_tokens"] == 130
    assert final["usage"]["completion_tokens"] == 25
    assert final["usage"]["prompt_tokens_details"] == {"cached_tokens": 30}
    assert final["usage"]["completion_tokens_details"] == {"reasoning_tokens": 5}
    req = srv.requests[0]
    assert (req.path, req.protocol, req.model, req.stream, req.include_usage) == (
        "/v1/chat/completions",
        "openai",
        "gpt-test",
        True,
        True,
    )
    assert req.messages == MESSAGES and req.tools == [{"x": 1}]
    assert req.auth_present and "authorization" not in req.headers
    assert req.finished and not req.disconnected and req.status == 200


async def test_openai_stream_without_include_usage_has_no_usage_chunk() -> None:
    async with FakeLLM([Reply.of(text("hi"))]) as srv, httpx.AsyncClient() as client:
        r = await client.post(f"{srv.base_url}/chat/completions", json={"model": "m", "stream": True})
    chunks = sse_data(r.text)
    assert all(c == "[DONE]" or c["choices"] for c in chunks)
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert srv.requests[0].path == "/chat/completions"


async def test_openai_non_streamed_completion() -> None:
    reply = Reply.of(text("Hi"), tool_call("read", {"p": 1}, id="c1"), usage(7, 3), finish("length"))
    async with FakeLLM([reply]) as srv, httpx.AsyncClient() as client:
        r = await post_openai(srv, client)
    body = r.json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == "Hi"
    assert choice["message"]["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "read", "arguments": '{"p": 1}'}}
    ]
    assert body["usage"]["prompt_tokens"] == 7 and body["usage"]["completion_tokens"] == 3
    assert srv.requests[0].stream is False


async def test_anthropic_stream_events() -> None:
    reply = Reply.of(
        reasoning("hmm", chunks=2),
        text("Hi there"),
        tool_call("read", {"path": "a.py"}, id="toolu_1", chunks=2),
        usage(50, 10, cache_read=5, cache_write=7),
    )
    async with FakeLLM([reply]) as srv, httpx.AsyncClient() as client:
        r = await post_anthropic(srv, client, stream=True, system="be brief")
    events = sse_events(r.text)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    start = events[0][1]["message"]
    assert start["usage"] == {
        "input_tokens": 50,
        "cache_creation_input_tokens": 7,
        "cache_read_input_tokens": 5,
        "output_tokens": 1,
    }
    blocks = [p["content_block"] for n, p in events if n == "content_block_start"]
    assert [b["type"] for b in blocks] == ["thinking", "text", "tool_use"]
    assert blocks[2]["id"] == "toolu_1" and blocks[2]["name"] == "read"
    deltas = [p["delta"] for n, p in events if n == "content_block_delta"]
    assert "".join(d.get("thinking", "") for d in deltas) == "hmm"
    assert any(d["type"] == "signature_delta" for d in deltas)
    assert "".join(d.get("text", "") for d in deltas) == "Hi there"
    json_parts = [d["partial_json"] for d in deltas if d["type"] == "input_json_delta"]
    assert len(json_parts) == 2 and json.loads("".join(json_parts)) == {"path": "a.py"}
    assert names.count("content_block_stop") == 3
    message_delta = events[-2][1]
    assert message_delta["delta"]["stop_reason"] == "tool_use"
    assert message_delta["usage"] == {"output_tokens": 10}
    req = srv.requests[0]
    assert (req.protocol, req.system, req.auth_present) == ("anthropic", "be brief", True)
    assert "x-api-key" not in req.headers


async def test_anthropic_non_streamed_message() -> None:
    reply = Reply.of(reasoning("r"), text("a"), text("b"), tool_call("ls", "{not json", id="t1"))
    async with FakeLLM([reply]) as srv, httpx.AsyncClient() as client:
        r = await post_anthropic(srv, client)
    body = r.json()
    assert body["stop_reason"] == "tool_use"
    assert [b["type"] for b in body["content"]] == ["thinking", "text", "tool_use"]
    assert body["content"][1]["text"] == "ab"
    assert body["content"][2]["input"] == "{not json"
    assert body["usage"]["input_tokens"] > 0 and body["usage"]["output_tokens"] > 0


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_leading_error_is_an_http_error_with_retry_after(protocol: str) -> None:
    async with FakeLLM([Reply.of(delay(0.01), error(429, retry_after=2))]) as srv, httpx.AsyncClient() as client:
        post = post_openai if protocol == "openai" else post_anthropic
        r = await post(srv, client, stream=True)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "2"
    body = r.json()
    if protocol == "openai":
        assert body["error"]["type"] == "rate_limit_exceeded"
    else:
        assert body["error"]["type"] == "rate_limit_error"
    assert srv.requests[0].status == 429


async def test_error_body_is_sent_verbatim() -> None:
    custom = {"error": {"message": "nope", "code": "custom"}}
    async with FakeLLM([Reply.of(error(400, custom))]) as srv, httpx.AsyncClient() as client:
        r = await post_openai(srv, client)
    assert r.status_code == 400 and r.json() == custom


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_error_after_output_is_an_error_event_then_a_broken_stream(protocol: str) -> None:
    async with FakeLLM([Reply.of(text("partial"), error(500, message="boom"))]) as srv:
        url = f"{srv.openai_base}/chat/completions" if protocol == "openai" else f"{srv.base_url}/v1/messages"
        lines: list[str] = []
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.RemoteProtocolError):
                async with client.stream("POST", url, json={"model": "m", "stream": True}) as r:
                    assert r.status_code == 200
                    async for line in r.aiter_lines():
                        lines.append(line)
    body = "\n".join(lines)
    assert "partial" in body and "boom" in body


@pytest.mark.parametrize("stream", [True, False])
async def test_drop_closes_the_connection(stream: bool) -> None:
    async with FakeLLM([Reply.of(text("partial"), drop())]) as srv, httpx.AsyncClient() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            r = await post_openai(srv, client, stream=stream)
            r.raise_for_status()
    assert srv.requests[0].finished


async def test_malformed_event_is_sent_and_stream_goes_on() -> None:
    async with FakeLLM([Reply.of(text("a"), malformed(), text("b"))]) as srv, httpx.AsyncClient() as client:
        r = await post_openai(srv, client, stream=True)
    assert '"content": \n\n' in r.text
    assert r.text.rstrip().endswith("data: [DONE]")


async def test_script_exhaustion_and_add() -> None:
    async with FakeLLM([Reply.of(text("one"))]) as srv, httpx.AsyncClient() as client:
        assert (await post_openai(srv, client)).status_code == 200
        exhausted = await post_anthropic(srv, client)
        assert exhausted.status_code == 500
        assert "script exhausted" in exhausted.text
        srv.add(Reply.of(text("two")), [text("three")])
        assert srv.remaining == 2
        second = await post_openai(srv, client)
        assert second.json()["choices"][0]["message"]["content"] == "two"
    assert [r.reply_index for r in srv.requests] == [0, None, 1]


async def test_unknown_route_is_404_and_consumes_nothing() -> None:
    async with FakeLLM([Reply.of(text("x"))]) as srv, httpx.AsyncClient() as client:
        r = await client.get(f"{srv.base_url}/v1/models")
        assert r.status_code == 404
        assert srv.remaining == 1


async def test_default_usage_is_plausible() -> None:
    async with FakeLLM([Reply.of(text("a" * 40))]) as srv, httpx.AsyncClient() as client:
        r = await post_openai(srv, client)
    u = r.json()["usage"]
    assert u["completion_tokens"] == 10
    assert u["prompt_tokens"] > 0


async def test_client_disconnect_is_recorded() -> None:
    reply = Reply.of(text("first"), delay(10), text("never"))
    async with FakeLLM([reply]) as srv, httpx.AsyncClient() as client:
        async with client.stream("POST", f"{srv.openai_base}/chat/completions", json={"stream": True}) as r:
            async for line in r.aiter_lines():
                if "first" in line:
                    break  # leaving the block closes the response, and with it the connection
        await srv.wait_idle(2)
        req = srv.requests[0]
        assert req.disconnected and req.finished


async def test_chunk_delay_paces_the_stream() -> None:
    reply = Reply(steps=[text("a b c d e")], chunk_delay=0.02)
    async with FakeLLM([reply]) as srv, httpx.AsyncClient() as client:
        started = asyncio.get_running_loop().time()
        await post_openai(srv, client, stream=True)
        assert asyncio.get_running_loop().time() - started >= 0.08


def test_thread_variant_serves_sync_clients() -> None:
    with FakeLLMThread([Reply.of(text("hello"))]) as srv:
        r = httpx.post(f"{srv.openai_base}/chat/completions", json={"model": "m", "messages": MESSAGES})
        assert r.json()["choices"][0]["message"]["content"] == "hello"
        srv.add(Reply.of(text("again")))
        r = httpx.post(f"{srv.anthropic_base}/v1/messages", json={"model": "m", "messages": MESSAGES})
        assert r.json()["content"][0]["text"] == "again"
        srv.wait_idle()
        assert [q.protocol for q in srv.requests] == ["openai", "anthropic"]


def test_cli_prints_base_url_and_serves(tmp_path: Path) -> None:
    script = tmp_path / "s.json"
    script.write_text(json.dumps([[{"text": "from the cli"}]]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_tui.testing.fake_llm", "--script", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        r = httpx.post(f"{base}/v1/chat/completions", json={"model": "m", "messages": MESSAGES})
        assert r.json()["choices"][0]["message"]["content"] == "from the cli"
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
