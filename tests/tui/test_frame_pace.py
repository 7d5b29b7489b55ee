"""The message log's frame pace: 20 frames a second, 15 once a reply has streamed for a second, the end at once."""

from __future__ import annotations

from agent_tui.tui.transcript import Transcript, demo
from agent_tui.tui.transcript.frame_pace import (
    COST_SPACING,
    FRAME_SECONDS,
    LONG_REPLY_MS,
    MAX_FRAME_SECONDS,
    STREAM_FRAME_SECONDS,
    FramePace,
)
from tests.tui.test_transcript_widget import SIZE, finish_events, reply_events
from tests.tui.transcript_apps import TranscriptApp, settle, visible_text


def test_a_reply_slows_to_the_streaming_pace_after_a_second_and_the_next_reply_starts_fast() -> None:
    pace = FramePace()
    assert pace.frame_seconds(live_reply=None, now_ms=0) == FRAME_SECONDS
    assert pace.frame_seconds(live_reply="msg_a", now_ms=10) == FRAME_SECONDS
    assert pace.frame_seconds(live_reply="msg_a", now_ms=10 + LONG_REPLY_MS - 1) == FRAME_SECONDS
    assert pace.frame_seconds(live_reply="msg_a", now_ms=10 + LONG_REPLY_MS) == STREAM_FRAME_SECONDS
    # The next reply (even with no idle moment in between) is counted from when it is first seen.
    assert pace.frame_seconds(live_reply="msg_b", now_ms=5_000) == FRAME_SECONDS
    assert pace.frame_seconds(live_reply="msg_b", now_ms=5_000 + LONG_REPLY_MS) == STREAM_FRAME_SECONDS
    assert pace.frame_seconds(live_reply=None, now_ms=9_000) == FRAME_SECONDS


def test_an_expensive_frame_spaces_the_next_out_up_to_a_limit() -> None:
    pace = FramePace()
    assert pace.spacing(live_reply=None, now_ms=0, last_cost=0.0) == FRAME_SECONDS
    assert pace.spacing(live_reply=None, now_ms=0, last_cost=0.01) == 0.01 * COST_SPACING
    assert pace.spacing(live_reply=None, now_ms=0, last_cost=1.0) == MAX_FRAME_SECONDS


async def test_a_long_streaming_reply_is_drawn_at_the_slower_pace_and_its_end_at_once() -> None:
    now = [demo.T0]
    app = TranscriptApp(demo.full_conversation()[:1])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        log._clock = lambda: now[0]
        await settle(pilot, log)
        text = " ".join(f"word{n}" for n in range(300)) + " ENDMARK"
        events = reply_events(text, pieces=60)
        for n, event in enumerate(events[:-1]):
            now[0] = demo.T0 + 40 * n  # 60 pieces over 2.4 s of the log's clock
            log.apply(event)
            await settle(pilot, log)
        assert log.pace.frame_seconds(live_reply="msg_zzz", now_ms=now[0]) == STREAM_FRAME_SECONDS
        assert "ENDMARK" not in visible_text(log)
        for event in events[-1:] + finish_events(text):
            log.apply(event)
        assert log.settled  # the finishing events drew the end themselves, no frame waits for the pace
        assert "ENDMARK" in visible_text(log)
        assert log.pace.frame_seconds(live_reply=None, now_ms=now[0]) == FRAME_SECONDS
