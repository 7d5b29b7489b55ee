"""What the status line says while the model is silent: a retry's countdown, or how long nothing has arrived.

Pure bookkeeping over engine events (no Textual), so it is tested without an app:
- a failed attempt waiting to be retried: "retrying in 4 s (attempt 1 of 6): <reason>";
- a model that should be sending but has sent nothing for SILENCE_SHOWN seconds or more: "no data for 12 s"
  (the engine gives up after `provider_timeout.idle` seconds, 60 by default).
Tool runs are not silence: the count only runs between a step's start and its end.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from agent_tui.core.events import Event, MessageUpdated, PartDelta, PartUpdated, SessionBusy, SessionIdle
from agent_tui.core.models import AssistantMessage, RetryNote

SILENCE_SHOWN = 5.0  # seconds; shorter pauses are normal between a model's chunks


class ModelWait:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self.active = False  # a step is streaming: the model is expected to send
        self._last_data = 0.0
        self._retry: RetryNote | None = None
        self._retry_at = 0.0

    @property
    def ticking(self) -> bool:
        """Whether the text can change by itself with time (the status line runs a 1 s timer only then)."""
        return self.active or self._retry is not None

    def track(self, event: Event) -> None:
        now = self._clock()
        match event:
            case SessionBusy():
                self.active, self._last_data = True, now
            case SessionIdle():
                self.reset()
            case PartDelta():
                self._last_data = now
            case PartUpdated(part=part):
                if part.type == "step-start":
                    self.active, self._last_data = True, now
                elif part.type == "step-finish":
                    self.active = False
                elif part.type == "tool":
                    self._last_data = now
            case MessageUpdated(message=AssistantMessage(retry=retry)):
                if retry is not None and retry != self._retry:
                    self._retry_at = now + retry.delay
                elif retry is None and self._retry is not None:
                    self._last_data = now  # the next attempt starts: silence counts from here
                self._retry = retry

    def text(self) -> str | None:
        now = self._clock()
        if self._retry is not None:
            return retry_text(self._retry, max(0, math.ceil(self._retry_at - now)))
        silence = now - self._last_data
        if self.active and silence >= SILENCE_SHOWN:
            return f"no data for {int(silence)} s"
        return None


def retry_text(note: RetryNote, seconds_left: float, reason_chars: int = 60) -> str:
    """The next attempt is the one counted: "retrying in 2 s (attempt 2 of 6): Rate limited…"."""
    reason = note.reason if len(note.reason) <= reason_chars else note.reason[: reason_chars - 1] + "…"
    return f"retrying in {seconds_left:g} s (attempt {note.attempt + 1} of {note.max_attempts}): {reason}"
