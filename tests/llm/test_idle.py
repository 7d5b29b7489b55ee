"""The idle limit between chunks (core/llm/idle.py): one re-arming deadline per stream.

What it must keep from the `asyncio.timeout()`-per-chunk version it replaced: a stall fails as "stopped sending"
after what arrived; the consumer's own work between chunks is not counted; Esc (the task cancelled) is still a
cancellation, also when it comes at the moment the deadline runs out; the stream is always closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from agent_tui.core.llm.errors import ProviderError
from agent_tui.core.llm.idle import IdleDeadline, idle_guard
from agent_tui.core.llm.stream import LLMRequest, TextDelta, stream_completion
from agent_tui.testing import FakeLLM, Reply, delay, text

IDLE = 0.2
# For a real stream: litellm's one-time setup of a first call in a loaded test worker can take longer than a
# second, and the limit also covers the wait for the response to start.
REAL_IDLE = 3.0


class Source:
    """Chunks with a pause before each; records whether it was closed."""

    def __init__(self, pauses: list[float]) -> None:
        self.pauses = pauses
        self.closed = False
        self.waiting = asyncio.Event()

    async def chunks(self) -> AsyncIterator[int]:
        try:
            for index, pause in enumerate(self.pauses):
                self.waiting.set()
                await asyncio.sleep(pause)
                self.waiting.clear()
                yield index
        finally:
            self.closed = True


async def test_chunks_pass_through_and_the_deadline_is_gone_afterwards() -> None:
    source = Source([0.0] * 50)
    guard = idle_guard(source.chunks(), IDLE, "p")
    assert [c async for c in guard] == list(range(50))
    assert source.closed


async def test_a_stall_after_some_chunks_fails_as_stopped_sending_keeping_what_arrived() -> None:
    source = Source([0.0, 0.0, 30.0, 0.0])
    received: list[int] = []
    with pytest.raises(ProviderError) as caught:
        async for chunk in idle_guard(source.chunks(), IDLE, "p"):
            received.append(chunk)
    assert caught.value.kind == "stalled"
    assert "stopped sending" in str(caught.value)
    assert received == [0, 1]
    assert source.closed
    # The deadline's own cancellation was taken back: this task can still wait on anything.
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    await asyncio.sleep(0)


async def test_the_consumers_own_work_between_chunks_is_not_counted() -> None:
    source = Source([0.0, 0.0, 0.0])
    received = []
    async for chunk in idle_guard(source.chunks(), IDLE, "p"):
        received.append(chunk)
        await asyncio.sleep(IDLE * 2)  # slower than the limit, but not waiting on the stream
    assert received == [0, 1, 2]


async def test_waits_each_shorter_than_the_limit_never_stall_however_long_the_stream() -> None:
    # The deadline is armed once and re-armed for the rest of the current wait: many waits of 0.6 × the limit
    # add up to far more than the limit.
    source = Source([IDLE * 0.6] * 8)
    assert [c async for c in idle_guard(source.chunks(), IDLE, "p")] == list(range(8))


async def test_an_abort_while_waiting_is_a_cancellation_not_a_stall() -> None:
    source = Source([0.0, 30.0])
    received: list[int] = []
    got_first = asyncio.Event()

    async def consume() -> None:
        async for chunk in idle_guard(source.chunks(), IDLE, "p"):
            received.append(chunk)
            got_first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_first.wait(), 5)
    await asyncio.wait_for(source.waiting.wait(), 5)  # now waiting for the second chunk
    task.cancel()  # what Esc does to the run's task
    with pytest.raises(asyncio.CancelledError):
        await task
    assert received == [0]
    assert source.closed


async def test_an_abort_at_the_moment_the_deadline_runs_out_stays_an_abort(monkeypatch) -> None:
    source = Source([30.0])
    outcome: list[str] = []
    expire = IdleDeadline._check

    def expire_then_esc(self: IdleDeadline) -> None:  # Esc arrives in the same loop iteration as the deadline
        expire(self)
        assert self.expired
        task.cancel()

    monkeypatch.setattr(IdleDeadline, "_check", expire_then_esc)

    async def consume() -> None:
        try:
            async for _ in idle_guard(source.chunks(), IDLE, "p"):
                pass
        except ProviderError:
            outcome.append("stalled")
            raise
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    task = asyncio.create_task(consume())
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert outcome == ["cancelled"]
    assert source.closed


async def test_the_deadline_tells_its_own_cancellation_from_one_already_requested() -> None:
    async def body() -> bool:
        deadline = IdleDeadline(IDLE)
        deadline.waiting()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            return deadline.stalled()
        finally:
            deadline.close()
        return False

    assert await asyncio.wait_for(asyncio.create_task(body()), 5) is True


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_real_stream_that_stalls_mid_reply_is_closed_and_keeps_what_arrived(protocol: str) -> None:
    async with FakeLLM([Reply.of(text("first part", chunks=2), delay(30), text(" never"))]) as srv:
        base = srv.openai_base if protocol == "openai" else srv.anthropic_base
        req = LLMRequest(model=f"{protocol}/m", provider="fake", api_base=base, api_key="sk-test",
                         messages=[{"role": "user", "content": "hi"}])
        texts: list[str] = []
        with pytest.raises(ProviderError) as caught:
            async for event in stream_completion(req, idle_timeout=REAL_IDLE, max_attempts=1):
                if isinstance(event, TextDelta):
                    texts.append(event.text)
        assert caught.value.kind == "stalled"
        assert "".join(texts) == "first part"
        await srv.wait_idle(5)
        assert srv.requests[0].disconnected


async def test_esc_during_a_real_stream_with_the_idle_limit_on_cancels_and_closes_the_connection() -> None:
    async with FakeLLM([Reply.of(text("first"), delay(30), text("never"))]) as srv:
        req = LLMRequest(model="openai/m", provider="fake", api_base=srv.openai_base, api_key="sk-test",
                         messages=[{"role": "user", "content": "hi"}])
        got_first = asyncio.Event()
        outcome: list[str] = []

        async def consume() -> None:
            try:
                async for event in stream_completion(req, idle_timeout=5.0):
                    if isinstance(event, TextDelta):
                        got_first.set()
            except asyncio.CancelledError:
                outcome.append("cancelled")
                raise
            except ProviderError as exc:
                outcome.append(exc.kind)

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got_first.wait(), 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert outcome == ["cancelled"]
        await srv.wait_idle(5)
        assert srv.requests[0].disconnected
