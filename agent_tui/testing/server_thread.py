"""The fake LLM server hosted on its own event loop in a daemon thread, for sync code and subprocess tests."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from agent_tui.testing.recorded import RecordedRequest
from agent_tui.testing.script import Reply, Step
from agent_tui.testing.server import FakeLLM, ScriptLike


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
