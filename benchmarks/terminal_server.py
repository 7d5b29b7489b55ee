"""The model side of the terminal benchmark: an OpenAI-compatible SSE server on 127.0.0.1, in a thread.

The reply is chosen by a directive anywhere in the last user message, `bench tokens=N delay_ms=D id=X`: N one-word
chunks of Markdown, D ms apart, opening with the word `BEGINQZ<X>` and closing with `ENDQZ<X>`, so the driver can
tell from the screen when the first and the last word arrived. The server notes when it wrote each reply's last
chunk (`time.monotonic()`, the driver's clock too), which is what "last chunk sent → on screen" is measured from.
Any other request (a title, a summary) gets a short plain reply. Stdlib only, so it runs under any Python.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from dataclasses import dataclass, field

DIRECTIVE = re.compile(r"bench tokens=(\d+)(?: delay_ms=(\d+))? id=(\w+)")

# Markdown a coding agent writes: prose with emphasis and code spans, a heading, a list, a short code block.
_PATTERN = (
    "The **session** engine reads `bus.py` and the writer coalesces updates so storage keeps up . "
    "\n\n## What changes\n\n- the `Transcript` caches finished blocks\n- only the tail renders again\n\n"
    "```python\nfor part in parts:\n    render(part)\n```\n\n"
    "Then the *status* line shows the context use and the cost of the turn . "
)
WORDS = _PATTERN.replace("\n", " \n ").split(" ")


def reply_words(tokens: int, reply_id: str) -> list[str]:
    """`tokens` chunks: the begin marker, Markdown words, the end marker (each chunk carries its own spacing)."""
    body = [WORDS[i % len(WORDS)] for i in range(max(tokens - 2, 0))]
    words = [f"BEGINQZ{reply_id} ", *(w if w == "\n" else w + " " for w in body), f"\n\nENDQZ{reply_id}"]
    return words[:max(tokens, 2)]


@dataclass
class Served:
    """What the server did for one directive: when its first and last chunk went out."""

    first_sent: float = 0.0
    last_sent: float = 0.0
    chunks: int = 0


@dataclass
class BenchServer:
    host: str = "127.0.0.1"
    port: int = 0
    served: dict[str, Served] = field(default_factory=dict)
    requests: int = 0

    def start(self) -> BenchServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True, name="bench-server")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the benchmark server did not start")
        return self

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def stop(self) -> None:
        loop = getattr(self, "_loop", None)
        if loop is not None:
            loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(5)

    def _run(self, ready: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
            server = await asyncio.start_server(self._connection, self.host, self.port)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await self._stopping.wait()

        asyncio.run(main())

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = json.loads(await reader.readexactly(length)) if length else {}
            self.requests += 1
            await self._reply(body, writer)
        except (asyncio.IncompleteReadError, ConnectionError, json.JSONDecodeError):
            pass
        finally:
            writer.close()

    async def _reply(self, body: dict, writer: asyncio.StreamWriter) -> None:
        last_user = ""
        for message in body.get("messages", []):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):
                    content = " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
                last_user = str(content)
        match = DIRECTIVE.search(last_user)
        if not body.get("stream"):
            text = "Benchmark session"
            payload = json.dumps({
                "id": "b", "object": "chat.completion", "created": 0, "model": body.get("model", "bench"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
            }).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                         b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
            await writer.drain()
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                     b"Connection: close\r\n\r\n")
        model = body.get("model", "bench")
        if match is None:
            words, delay, reply_id = ["Benchmark ", "session"], 0.0, None
        else:
            words, delay, reply_id = reply_words(int(match[1]), match[3]), int(match[2] or 0) / 1000, match[3]
        record = Served()
        if reply_id is not None:
            self.served[reply_id] = record
        await self._frame(writer, model, {"role": "assistant", "content": ""})
        for index, word in enumerate(words):
            if delay and index:
                await asyncio.sleep(delay)
            await self._frame(writer, model, {"content": word})
            record.chunks += 1
            if index == 0:
                record.first_sent = time.monotonic()
        record.last_sent = time.monotonic()
        await self._frame(writer, model, {}, finish="stop")
        usage = {"prompt_tokens": 100, "completion_tokens": len(words), "total_tokens": 100 + len(words)}
        writer.write(_sse({"id": "b", "object": "chat.completion.chunk", "created": 0, "model": model,
                           "choices": [], "usage": usage}))
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()

    @staticmethod
    async def _frame(writer: asyncio.StreamWriter, model: str, delta: dict, finish: str | None = None) -> None:
        writer.write(_sse({"id": "b", "object": "chat.completion.chunk", "created": 0, "model": model,
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}))
        await writer.drain()


def _sse(payload: dict) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
