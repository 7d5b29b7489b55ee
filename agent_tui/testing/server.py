"""The HTTP side of the fake LLM server: a small HTTP/1.1 server on raw asyncio streams.

Raw streams (rather than a web framework) give exact control over what reaches the socket: a stream can be cut
without its terminating chunk, and a client that goes away is seen at once, even while a scripted delay runs.
Every response carries `Connection: close`, so one connection serves one request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent_tui.testing import anthropic_wire, openai_wire
from agent_tui.testing.script import (
    DelayStep,
    DropStep,
    EndStep,
    ErrorSpec,
    ErrorStep,
    MalformedStep,
    ReasoningStep,
    Reply,
    Script,
    Step,
    TextStep,
    ToolCallStep,
    UsageSpec,
    estimate_tokens,
    split_text,
)

OPENAI_PATHS = ("/v1/chat/completions", "/chat/completions")
ANTHROPIC_PATHS = ("/v1/messages", "/messages")
# Header values never recorded: only the fact that one of them was present.
AUTH_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization", "x-goog-api-key"})

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    529: "Overloaded",
}

ScriptLike = Script | Sequence[Reply | list[Step]] | str | Path | None


class RecordedRequest(BaseModel):
    """One request as the server saw it. `disconnected`/`finished` change while the reply is served."""

    index: int
    method: str
    path: str
    protocol: Literal["openai", "anthropic", "unknown"]
    model: str | None = None
    messages: list[Any] = Field(default_factory=list)
    system: Any = None
    tools: list[Any] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)
    auth_present: bool = False
    stream: bool = False
    include_usage: bool = False
    body: Any = None
    reply_index: int | None = None
    status: int | None = None
    disconnected: bool = False
    finished: bool = False


class _ClientGone(Exception):
    """The peer closed the connection (or a write to it failed) before the reply was complete."""


class _Exchange:
    """Writes one response and notices when the client leaves."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: RecordedRequest):
        self.writer = writer
        self.record = record
        self.started = False
        # The client sends nothing after its request, so any read completing means it closed the connection.
        self.peer_closed = asyncio.ensure_future(reader.read(1))

    def _check(self) -> None:
        if self.peer_closed.done() or self.writer.is_closing():
            raise _ClientGone

    async def write(self, data: bytes) -> None:
        self._check()
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise _ClientGone from exc

    async def sleep(self, seconds: float) -> None:
        self._check()
        if seconds <= 0:
            return
        done, _ = await asyncio.wait({self.peer_closed}, timeout=seconds)
        if done:
            raise _ClientGone

    async def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        await self.send_raw(status, body, "application/json", headers)

    async def send_raw(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.record.status = status
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in (headers or {}).items()),
        ]
        await self.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        self.started = True

    async def start_stream(self) -> None:
        self.record.status = 200
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        await self.write(head.encode())
        self.started = True

    async def chunk(self, frames: list[bytes], last: bool = False) -> None:
        data = b"".join(f"{len(f):x}\r\n".encode() + f + b"\r\n" for f in frames if f)
        # The terminating chunk goes out with the last frames so a client never sees [DONE] without it.
        await self.write(data + (b"0\r\n\r\n" if last else b""))

    def cut(self) -> None:
        """End the connection without finishing the HTTP message (frames already written still go out)."""
        self.writer.close()

    def close(self) -> None:
        self.peer_closed.cancel()


class FakeLLM:
    """A scripted LLM server on 127.0.0.1, run inside the current event loop (`async with FakeLLM(...)`)."""

    def __init__(self, script: ScriptLike = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._replies: list[Reply] = list(_as_script(script).replies)
        self._next = 0
        self._lock = threading.Lock()  # add() may come from another thread (FakeLLMThread, CLI)
        self.host = host
        self._port = port
        self.requests: list[RecordedRequest] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle: asyncio.Event | None = None

    # --- addresses --------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeLLM is not running")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base(self) -> str:
        """`api_base` for litellm `openai/...` models (it appends `/chat/completions`)."""
        return f"{self.base_url}/v1"

    @property
    def anthropic_base(self) -> str:
        """`api_base` for litellm `anthropic/...` models (it appends `/v1/messages`)."""
        return self.base_url

    # --- script -----------------------------------------------------------------------------------------

    def add(self, *replies: Reply | list[Step]) -> None:
        """Append replies to the script while the server runs."""
        with self._lock:
            self._replies.extend(r if isinstance(r, Reply) else Reply(steps=r) for r in replies)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._replies) - self._next

    def _take(self) -> tuple[int, Reply] | None:
        with self._lock:
            if self._next >= len(self._replies):
                return None
            self._next += 1
            return self._next - 1, self._replies[self._next - 1]

    # --- lifecycle --------------------------------------------------------------------------------------

    async def start(self) -> FakeLLM:
        self._idle = asyncio.Event()
        self._idle.set()
        self._server = await asyncio.start_server(self._connection, self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> FakeLLM:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def wait_idle(self, limit: float = 5.0) -> None:
        """Wait until no request is being served (e.g. for the server to notice a client disconnect)."""
        assert self._idle is not None
        await asyncio.wait_for(self._idle.wait(), limit)

    # --- serving ----------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None and self._idle is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self._idle.clear()
        exchange: _Exchange | None = None
        try:
            parsed = await _read_request(reader)
            if parsed is None:
                return
            method, path, headers, body = parsed
            record = self._record(method, path, headers, body)
            exchange = _Exchange(reader, writer, record)
            try:
                await self._serve(exchange, body)
                record.finished = True
            except _ClientGone:
                record.disconnected = True
                record.finished = True
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass  # a client that sent garbage or went away before its request was complete
        finally:
            if exchange is not None:
                exchange.close()
            with contextlib.suppress(Exception):
                writer.close()
            self._tasks.discard(task)  # type: ignore[arg-type]
            if not self._tasks:
                self._idle.set()

    def _record(self, method: str, path: str, headers: dict[str, str], body: bytes) -> RecordedRequest:
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = body.decode("utf-8", "replace")
        fields = data if isinstance(data, dict) else {}
        route = path.split("?", 1)[0]
        protocol: Literal["openai", "anthropic", "unknown"] = (
            "openai" if route in OPENAI_PATHS else "anthropic" if route in ANTHROPIC_PATHS else "unknown"
        )
        stream_options = fields.get("stream_options") or {}
        record = RecordedRequest(
            index=len(self.requests),
            method=method,
            path=route,
            protocol=protocol,
            model=fields.get("model"),
            messages=fields.get("messages") or [],
            system=fields.get("system"),
            tools=fields.get("tools") or [],
            headers={k: v for k, v in headers.items() if k not in AUTH_HEADERS},
            auth_present=any(k in AUTH_HEADERS for k in headers),
            stream=bool(fields.get("stream")),
            include_usage=bool(isinstance(stream_options, dict) and stream_options.get("include_usage")),
            body=data,
        )
        self.requests.append(record)
        return record

    async def _serve(self, ex: _Exchange, body: bytes) -> None:
        record = ex.record
        if record.method != "POST" or record.protocol == "unknown":
            await ex.send_json(404, {"error": {"message": f"fake LLM: no route {record.method} {record.path}"}})
            return
        wire_errors = openai_wire if record.protocol == "openai" else anthropic_wire
        taken = self._take()
        if taken is None:
            spec = ErrorSpec(
                status=500,
                message=f"script exhausted: request #{record.index + 1} arrived but the script has no reply left",
            )
            await ex.send_json(500, wire_errors.error_body(spec))
            return
        reply_no, reply = taken
        record.reply_index = reply_no
        finish = reply.scripted_finish() or ("tool_calls" if reply.tool_calls() else "stop")
        usage = reply.scripted_usage() or _default_usage(body, reply)
        prefix = "call" if record.protocol == "openai" else "toolu"
        call_ids = [c.id or f"{prefix}_fake{reply_no}_{i}" for i, c in enumerate(reply.tool_calls())]
        if record.stream:
            await self._serve_stream(ex, reply, reply_no, finish, usage, call_ids)
        else:
            await self._serve_whole(ex, reply, reply_no, finish, usage, call_ids)

    async def _serve_whole(
        self, ex: _Exchange, reply: Reply, reply_no: int, finish: str, usage: UsageSpec, call_ids: list[str]
    ) -> None:
        record = ex.record
        model = record.model or "fake-model"
        wire = openai_wire if record.protocol == "openai" else anthropic_wire
        for step in reply.steps:
            if isinstance(step, DelayStep):
                await ex.sleep(step.delay)
            elif isinstance(step, ErrorStep):
                await _send_error(ex, wire.error_body(step.error), step.error)
                return
            elif isinstance(step, DropStep):
                ex.cut()
                return
            elif isinstance(step, MalformedStep):
                await ex.send_raw(200, b'{"id": "broken", "choices": [', "application/json")
                return
        if record.protocol == "openai":
            payload = openai_wire.completion(reply, model, reply_no, finish, usage, call_ids)
        else:
            payload = anthropic_wire.message(reply, model, reply_no, finish, usage, call_ids)
        await ex.send_json(200, payload)

    async def _serve_stream(
        self, ex: _Exchange, reply: Reply, reply_no: int, finish: str, usage: UsageSpec, call_ids: list[str]
    ) -> None:
        record = ex.record
        model = record.model or "fake-model"
        wire: openai_wire.OpenAIStream | anthropic_wire.AnthropicStream
        if record.protocol == "openai":
            wire = openai_wire.OpenAIStream(model, record.include_usage and reply.send_usage, reply_no)
        else:
            wire = anthropic_wire.AnthropicStream(model, reply_no, usage)
        pace = reply.chunk_delay

        async def begin() -> None:
            # The status line goes out with the first real content, so a leading error can still be an HTTP error.
            if not ex.started:
                await ex.start_stream()
                await ex.chunk(wire.start())

        calls = iter(call_ids)
        tool_index = 0
        for step in reply.steps:
            if isinstance(step, DelayStep):
                await ex.sleep(step.delay)
            elif isinstance(step, ErrorStep):
                if not ex.started:
                    body = (openai_wire if record.protocol == "openai" else anthropic_wire).error_body(step.error)
                    await _send_error(ex, body, step.error)
                    return
                await ex.chunk(wire.error_event(step.error))
                ex.cut()  # no terminating chunk: the stream is broken, not finished
                return
            elif isinstance(step, DropStep):
                ex.cut()
                return
            elif isinstance(step, EndStep):
                await begin()
                await ex.chunk([], last=True)
                return
            elif isinstance(step, MalformedStep):
                await begin()
                await ex.chunk(wire.malformed())
            elif isinstance(step, TextStep | ReasoningStep):
                await begin()
                is_text = isinstance(step, TextStep)
                value = step.text if isinstance(step, TextStep) else step.reasoning
                for i, piece in enumerate(split_text(value, step.chunks)):
                    if i and pace:
                        await ex.sleep(pace)
                    await ex.chunk(wire.text(piece) if is_text else wire.reasoning(piece))
            elif isinstance(step, ToolCallStep):
                await begin()
                spec = step.tool_call
                await ex.chunk(wire.tool_call_start(tool_index, next(calls), spec.name))
                for piece in split_text(spec.arguments_json(), spec.chunks):
                    if pace:
                        await ex.sleep(pace)
                    await ex.chunk(wire.tool_call_args(tool_index, piece))
                tool_index += 1
            if pace and isinstance(step, TextStep | ReasoningStep | ToolCallStep):
                await ex.sleep(pace)
        await begin()
        await ex.chunk(wire.finish(finish, usage), last=True)


async def _send_error(ex: _Exchange, body: dict[str, Any], spec: ErrorSpec) -> None:
    headers: dict[str, str] = {}
    if spec.retry_after is not None:
        ra = spec.retry_after
        headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
    await ex.send_json(spec.status, body, headers)


def _default_usage(body: bytes, reply: Reply) -> UsageSpec:
    # Plausible numbers from sizes, so code that sums usage sees something non-zero.
    reasoning_chars = reply.reasoning_chars()
    return UsageSpec(
        input=estimate_tokens(len(body)),
        output=estimate_tokens(reply.output_chars()),
        reasoning=estimate_tokens(reasoning_chars) if reasoning_chars else 0,
    )


def _as_script(script: ScriptLike) -> Script:
    if script is None:
        return Script()
    if isinstance(script, Script):
        return script
    if isinstance(script, str | Path):
        return Script.load(script)
    return Script.of(*script)


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # connection opened and closed without a request
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return method, path, headers, body


class FakeLLMThread:
    """The same server hosted on its own event loop in a daemon thread, for sync code and subprocess tests."""

    def __init__(self, script: ScriptLike = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = FakeLLM(script, host=host, port=port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> FakeLLMThread:
        self._thread = threading.Thread(target=self._run, name="fake-llm", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            try:
                await self.server.start()
            except BaseException as exc:
                self._error = exc
                raise
            finally:
                self._ready.set()
            try:
                await self._stop.wait()
            finally:
                await self.server.stop()

        with contextlib.suppress(Exception):
            asyncio.run(main())

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> FakeLLMThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_idle(self, limit: float = 5.0) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self.server.wait_idle(limit), self._loop).result(limit + 1)

    def add(self, *replies: Reply | list[Step]) -> None:
        self.server.add(*replies)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.server.requests

    @property
    def remaining(self) -> int:
        return self.server.remaining

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def openai_base(self) -> str:
        return self.server.openai_base

    @property
    def anthropic_base(self) -> str:
        return self.server.anthropic_base
