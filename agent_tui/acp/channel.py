"""The protocol's channel: JSON-RPC messages, one per line, on stdin and a private copy of stdout.

Only protocol bytes may reach the client's end of stdout, so before anything else runs the process keeps a
duplicate of fd 1 for the protocol and points fd 1 (and `sys.stdout`) at stderr: a stray print from us, litellm or
a child process lands there instead of corrupting the stream.

The SDK's own line transport skips a line that is not JSON without a word, and a JSON value that is not an object
stops its receive loop. This one answers both as JSON-RPC 2.0 says: -32700 (parse error) and -32600 (invalid
request), with `id: null` when the id cannot be known, and keeps reading.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from typing import Any

log = logging.getLogger(__name__)

LINE_LIMIT = 50 * 1024 * 1024  # prompts can carry embedded files


def claim_stdout() -> int:
    """Keep fd 1 for the protocol and return the copy; fd 1 and `sys.stdout` now write to stderr."""
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol_fd


async def open_streams(protocol_fd: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pipe = os.fdopen(protocol_fd, "wb", buffering=0)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, pipe)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return reader, writer


def problem(message: Any) -> str | None:
    """Why `message` is not a JSON-RPC request, notification or response (None when it is one)."""
    if isinstance(message, list):
        return "batches are not supported"
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    request_id = message.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, (str, int, type(None))):
        return "id must be a string, a number or null"
    if "method" in message:
        if not isinstance(message["method"], str):
            return "method must be a string"
        if "params" in message and not isinstance(message["params"], (dict, list, type(None))):
            return "params must be an object or an array"
        return None
    if "id" in message and ("result" in message or "error" in message):
        return None
    return "neither a request (method) nor a response (id with result or error)"


class JsonLinesChannel:
    """A message transport for the SDK's connection (`send`, `receive`, `close`)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        async with self._lock:  # one whole line at a time
            self._writer.write(data)
            await self._writer.drain()

    async def _error(self, code: int, text: str, request_id: Any, details: str) -> None:
        log.warning("acp: answered %d (%s): %s", code, text, details)
        await self.send({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": text,
                                                                     "data": {"details": details}}})

    async def receive(self) -> dict[str, Any] | None:
        while True:
            line = await self._read_line()
            if line is None:
                return None
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except ValueError as exc:
                await self._error(-32700, "Parse error", None, f"not valid JSON: {exc}")
                continue
            reason = problem(message)
            if reason is not None:
                request_id = message.get("id") if isinstance(message, dict) else None
                if not isinstance(request_id, (str, int)) or isinstance(request_id, bool):
                    request_id = None
                await self._error(-32600, "Invalid request", request_id, reason)
                continue
            return message

    async def _read_line(self) -> bytes | None:
        try:
            return await self._reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            return exc.partial or None  # end of input (a last line without its newline still counts)
        except asyncio.LimitOverrunError:
            # Longer than LINE_LIMIT: drop it up to its newline and say so.
            while True:
                try:
                    await self._reader.readuntil(b"\n")
                    break
                except asyncio.LimitOverrunError as exc:
                    await self._reader.readexactly(exc.consumed)
                except asyncio.IncompleteReadError:
                    return None
            await self._error(-32600, "Invalid request", None, f"message longer than {LINE_LIMIT} bytes")
            return b""

    async def close(self) -> None:
        try:
            self._writer.close()
        except Exception:  # the client already went away
            log.debug("acp: closing the output failed", exc_info=True)
