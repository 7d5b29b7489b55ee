"""The status line's retry countdown and silence count, on a fake clock."""

from __future__ import annotations

from agent_tui.core.events import MessageUpdated, PartDelta, PartUpdated, SessionBusy, SessionIdle
from agent_tui.core.models import AssistantMessage, RetryNote, StepFinishPart, StepStartPart
from agent_tui.tui.widgets.model_wait import ModelWait, retry_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _message(retry: RetryNote | None = None) -> MessageUpdated:
    return MessageUpdated(message=AssistantMessage(id="msg_1", session_id="ses_1", provider="p", model="m",
                                                   retry=retry))


def test_silence_is_counted_only_while_a_step_streams():
    clock = Clock()
    wait = ModelWait(clock)
    wait.track(SessionBusy(session_id="ses_1"))
    wait.track(PartUpdated(part=StepStartPart(session_id="ses_1", message_id="msg_1")))
    clock.now += 4
    assert wait.text() is None  # short pauses are normal
    clock.now += 8
    assert wait.text() == "no data for 12 s"
    wait.track(PartDelta(session_id="ses_1", message_id="msg_1", part_id="prt_1", part_type="text", delta="x",
                         offset=0))
    assert wait.text() is None
    wait.track(PartUpdated(part=StepFinishPart(session_id="ses_1", message_id="msg_1")))
    clock.now += 30  # a tool runs: not the model's silence
    assert wait.text() is None and not wait.ticking
    wait.track(SessionIdle(session_id="ses_1"))
    assert not wait.ticking


def test_a_retry_counts_down_then_silence_counts_from_the_next_attempt():
    clock = Clock()
    wait = ModelWait(clock)
    wait.track(SessionBusy(session_id="ses_1"))
    note = RetryNote(attempt=1, max_attempts=6, delay=4, reason="Rate limited by provider 'fake' (HTTP 429)")
    wait.track(_message(note))
    assert wait.text() == "retrying in 4 s (attempt 2 of 6): Rate limited by provider 'fake' (HTTP 429)"
    clock.now += 2.5
    assert wait.text() is not None and wait.text().startswith("retrying in 2 s")  # type: ignore[union-attr]
    wait.track(_message(None))
    assert wait.text() is None


def test_a_long_reason_is_shortened_in_the_status_line():
    note = RetryNote(attempt=2, max_attempts=6, delay=1, reason="x" * 200)
    assert retry_text(note, 1).endswith("x" * 59 + "…")
