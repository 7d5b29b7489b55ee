"""The raw HTTP/1.1 side of the fake LLM server: reading one request and writing one response.

Raw streams (rather than a web framework) give exact control over what reaches the socket: a stream can be cut
without its terminating chunk, and a client that goes away is seen at once, even while a scripted delay runs.
Every response carries `Connection: close`, so one connection serves one request.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from agent_tui.testing.recorded import RecordedRequest
from agent_tui.testing.script import ErrorSpec

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


class ClientGone(Exception):
    """The peer closed the connection (or a write to it failed) before the reply was complete."""


class Exchange:
    """Writes one response and notices when the client leaves."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: RecordedRequest):
        self.writer = writer
        self.record = record
        self.started = False
        # The client sends nothing after its request, so any read completing means it closed the connection.
        self.peer_closed = asyncio.ensure_future(reader.read(1))

    def _check(self) -> None:
        if self.peer_closed.done() or self.writer.is_closing():
            raise ClientGone

    async def write(self, data: bytes) -> None:
        self._check()
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise ClientGone from exc

    async def sleep(self, seconds: float) -> None:
        self._check()
        if seconds <= 0:
            return
        done, _ = await asyncio.wait({self.peer_closed}, timeout=seconds)
        if done:
            raise ClientGone

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


async def send_error(ex: Exchange, body: dict[str, Any], spec: ErrorSpec) -> None:
    headers: dict[str, str] = {}
    if spec.retry_after is not None:
        ra = spec.retry_after
        headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
    await ex.send_json(spec.status, body, headers)


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
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
