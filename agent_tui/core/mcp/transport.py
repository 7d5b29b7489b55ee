"""Open an SDK `Client` for one configured server: a subprocess over stdio, or a URL over streamable HTTP with a
fallback to SSE. Imports the SDK: load it only from `server.py`.

The read stream is wrapped so the connection hears, as they happen, of what the SDK would otherwise only log or
report at the next call: a line that is not an MCP message, and the end of the stream (the server exited).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
import httpx2
from mcp import Client, MCPError, StdioServerParameters, stdio_client
from mcp.client.session import MessageHandlerFnT
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import PARSE_ERROR, REQUEST_TIMEOUT
from pydantic import ValidationError

from agent_tui.core.config import McpLocal, McpRemote
from agent_tui.core.mcp.errors import McpStartError, describe_error

__all__ = [
    "PARSE_ERROR",
    "REQUEST_TIMEOUT",
    "MCPError",
    "StreamWatch",
    "connect_local",
    "connect_remote",
    "describe_garbage",
]

# "auto" asks the server which protocol era it speaks and falls back to the classic initialize handshake, so
# both 2.x servers and the many 1.x-era servers in the wild work.
CONNECT_MODE = "auto"


def describe_garbage(exc: BaseException) -> str:
    """One line saying what the server sent instead of an MCP message."""
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        shown = json.dumps(errors[0].get("input"), default=str)[:80] if errors else ""
        if errors and errors[0].get("type") == "json_invalid":
            return f"sent a line that is not JSON: {shown}"
        return f"sent JSON that is not an MCP message: {shown}"
    return describe_error(exc)


class StreamWatch:
    """Told about every item the SDK reads; reports the first problem once `armed`."""

    def __init__(self, on_problem: Callable[[str], None], *, armed: bool) -> None:
        self.on_problem = on_problem
        self.armed = armed
        self.last_problem: str | None = None

    def problem(self, reason: str) -> None:
        self.last_problem = reason
        if self.armed:
            self.on_problem(reason)


class _WatchedReadStream:
    """The SDK's read stream, passed through; invalid items and end of stream are reported to the watch."""

    def __init__(self, inner: Any, watch: StreamWatch) -> None:
        self._inner = inner
        self._watch = watch

    def __getattr__(self, name: str) -> Any:  # e.g. `last_context`, read by the dispatcher
        return getattr(self._inner, name)

    async def receive(self) -> Any:
        try:
            item = await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._watch.problem("the server closed the connection")
            raise
        if isinstance(item, Exception):
            self._watch.problem(describe_garbage(item))
        return item

    def __aiter__(self) -> _WatchedReadStream:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _WatchedReadStream:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._inner.__aexit__(*exc_info)


@asynccontextmanager
async def _watched(transport: Any, watch: StreamWatch) -> AsyncIterator[tuple[Any, Any]]:
    async with transport as (read_stream, write_stream):
        yield _WatchedReadStream(read_stream, watch), write_stream


def _find_command(command: str, env: dict[str, str], cwd: Path | None) -> str:
    """Fail early, with a message that names the command, when it cannot be run."""
    if os.sep in command:
        path = Path(command) if Path(command).is_absolute() or cwd is None else cwd / command
        if not path.exists():
            raise McpStartError(f"command not found: {command}")
        if not os.access(path, os.X_OK) or path.is_dir():
            raise McpStartError(f"command is not executable: {command}")
        return command
    if shutil.which(command, path=env.get("PATH")) is None:
        raise McpStartError(f"command not found: {command}")
    return command


def _client(transport: Any, watch: StreamWatch, message_handler: MessageHandlerFnT) -> Client:
    return Client(_watched(transport, watch), mode=CONNECT_MODE, message_handler=message_handler)


async def connect_local(
    stack: AsyncExitStack,
    config: McpLocal,
    *,
    errlog: TextIO,
    cwd: Path | None,
    watch: StreamWatch,
    message_handler: MessageHandlerFnT,
) -> Client:
    env = os.environ | config.environment
    command = _find_command(config.command[0], env, cwd)
    params = StdioServerParameters(command=command, args=config.command[1:], env=env, cwd=cwd)
    transport = stdio_client(params, errlog=errlog)
    try:
        return await stack.enter_async_context(_client(transport, watch, message_handler))
    except OSError as exc:  # the spawn itself failed (permissions, a missing interpreter in a #! line, …)
        raise McpStartError(f"cannot start {command}: {exc.strerror or exc}") from exc


async def _connect_remote_with(
    stack: AsyncExitStack, transport: Any, watch: StreamWatch, message_handler: MessageHandlerFnT
) -> Client:
    """Connect through one transport; on failure nothing of the attempt is left open."""
    async with AsyncExitStack() as attempt:
        client = await attempt.enter_async_context(_client(transport, watch, message_handler))
        stack.push_async_callback(attempt.pop_all().aclose)
        return client


async def connect_remote(
    stack: AsyncExitStack, config: McpRemote, *, watch: StreamWatch, message_handler: MessageHandlerFnT
) -> Client:
    # The SDK's documented way to send headers: our own HTTP client (httpx2 comes with the SDK), with the
    # SDK's default timeouts (a server may hold a response stream open for minutes).
    client = httpx2.AsyncClient(headers=config.headers, timeout=httpx2.Timeout(30.0, read=300.0))
    http = await stack.enter_async_context(client)
    try:
        transport = streamable_http_client(config.url, http_client=http)
        return await _connect_remote_with(stack, transport, watch, message_handler)
    except Exception as first:  # the server may only offer the older SSE transport: try that before giving up
        first_reason = describe_error(first)
    try:
        transport = sse_client(config.url, headers=config.headers or None)
        return await _connect_remote_with(stack, transport, watch, message_handler)
    except Exception as second:
        raise McpStartError(
            f"cannot connect to {config.url}: streamable HTTP: {first_reason}; SSE: {describe_error(second)}"
        ) from second
