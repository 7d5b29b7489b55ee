"""The fake LLM server: plays a script, one reply per request, on 127.0.0.1 inside the current event loop.

The HTTP layer is in `http_exchange`, what is recorded of a request in `recorded`, how a reply goes on the wire
in `replies`, and the threaded host in `server_thread` (`FakeLLMThread`, also importable from here).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_tui.testing import anthropic_wire, openai_wire
from agent_tui.testing.http_exchange import ClientGone, Exchange, read_request
from agent_tui.testing.recorded import RecordedRequest, record_request
from agent_tui.testing.replies import default_usage, serve_stream, serve_whole
from agent_tui.testing.script import ErrorSpec, Reply, Script, Step

if TYPE_CHECKING:
    from agent_tui.testing.server_thread import FakeLLMThread

__all__ = ["FakeLLM", "FakeLLMThread", "RecordedRequest", "ScriptLike"]

ScriptLike = Script | Sequence[Reply | list[Step]] | str | Path | None


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
        exchange: Exchange | None = None
        try:
            parsed = await read_request(reader)
            if parsed is None:
                return
            method, path, headers, body = parsed
            record = record_request(len(self.requests), method, path, headers, body)
            self.requests.append(record)
            exchange = Exchange(reader, writer, record)
            try:
                await self._serve(exchange, body)
                record.finished = True
            except ClientGone:
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

    async def _serve(self, ex: Exchange, body: bytes) -> None:
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
        usage = reply.scripted_usage() or default_usage(body, reply)
        prefix = "call" if record.protocol == "openai" else "toolu"
        call_ids = [c.id or f"{prefix}_fake{reply_no}_{i}" for i, c in enumerate(reply.tool_calls())]
        if record.stream:
            await serve_stream(ex, reply, reply_no, finish, usage, call_ids)
        else:
            await serve_whole(ex, reply, reply_no, finish, usage, call_ids)


def _as_script(script: ScriptLike) -> Script:
    if script is None:
        return Script()
    if isinstance(script, Script):
        return script
    if isinstance(script, str | Path):
        return Script.load(script)
    return Script.of(*script)


def __getattr__(name: str) -> Any:
    # `FakeLLMThread` lives in `server_thread` (which imports this module); importable from here as before.
    if name == "FakeLLMThread":
        from agent_tui.testing.server_thread import FakeLLMThread

        return FakeLLMThread
    raise AttributeError(name)
