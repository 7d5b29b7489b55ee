"""The idle limit between chunks of one stream: one re-arming deadline per stream, not a timeout per chunk.

Entering `asyncio.timeout()` for every chunk cost about 6 µs a chunk (a context manager, a timer handle and a
heap push each time). Here a chunk costs two attribute stores and a clock read: the deadline is one timer for
the whole stream that, when it fires, looks at how long the current wait has lasted and either re-arms itself
for the rest of the wait or fails the stream.

The limit covers only the wait for the next chunk, never the consumer's work between chunks. When it runs out
the consuming task is cancelled and the cancellation turned into `ProviderError.stalled` (what arrived before
stays with the consumer). A cancellation from anyone else (Esc: the run's task is cancelled) is passed on as
`CancelledError`, also when it arrives together with the deadline, exactly as `asyncio.timeout` tells its own
cancellation from others (`Task.cancelling()` / `Task.uncancel()`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from agent_tui.core.llm.errors import ProviderError


class IdleDeadline:
    """Fails the task that waits on a stream once one wait for a chunk lasts `idle` seconds."""

    def __init__(self, idle: float) -> None:
        self.idle = idle
        self.expired = False
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("IdleDeadline needs a running task")
        self._task = task
        self._cancelling = task.cancelling()  # cancellations already requested are not ours
        self._waiting_since: float | None = None
        self._handle: asyncio.TimerHandle | None = None

    def waiting(self) -> None:
        """The task is about to wait for the next chunk."""
        now = self._loop.time()
        self._waiting_since = now
        if self._handle is None:
            self._handle = self._loop.call_at(now + self.idle, self._check)

    def received(self) -> None:
        """The wait is over; the consumer's own work does not count."""
        self._waiting_since = None

    def _check(self) -> None:
        self._handle = None
        since = self._waiting_since
        now = self._loop.time()
        if since is None:
            return  # not waiting now: the next wait arms a new deadline
        if now - since < self.idle:
            self._handle = self._loop.call_at(since + self.idle, self._check)  # the rest of this wait
            return
        self.expired = True
        self._task.cancel()

    def stalled(self) -> bool:
        """After a CancelledError: whether it was this deadline's own, and no one else also cancelled the task.
        Call once; it consumes the deadline's cancellation request."""
        if not self.expired:
            return False
        return self._task.uncancel() <= self._cancelling

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._waiting_since = None


async def idle_guard(chunks: AsyncIterator[Any], idle: float, provider: str) -> AsyncIterator[Any]:
    """`chunks`, failing as stalled (`ProviderError`) when the next one takes longer than `idle` seconds."""
    iterator = chunks.__aiter__()
    deadline = IdleDeadline(idle)
    try:
        while True:
            deadline.waiting()
            try:
                chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except asyncio.CancelledError:
                if deadline.stalled():
                    raise ProviderError.stalled(provider, idle) from None
                raise
            except Exception as exc:
                # A source that turned our cancellation into an error of its own: still a stall (and the
                # cancellation request is taken back, so it cannot hit a later await).
                if deadline.stalled():
                    raise ProviderError.stalled(provider, idle) from exc
                raise
            deadline.received()
            yield chunk
    finally:
        deadline.close()
