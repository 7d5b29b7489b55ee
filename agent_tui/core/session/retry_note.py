"""A step's failed attempt, shown while it waits to be retried: set on the assistant message (so the status
line and the transcript show "retrying in N s (attempt k of 6): reason"), cleared when the next attempt
answers or the step ends."""

from __future__ import annotations

from agent_tui.core.llm.events import Retrying
from agent_tui.core.models import AssistantMessage, RetryNote
from agent_tui.core.session.writer import RecordWriter


def note_retry(assistant: AssistantMessage, writer: RecordWriter, event: Retrying) -> None:
    assistant.retry = RetryNote(
        attempt=event.attempt, max_attempts=event.max_attempts, delay=event.delay, reason=event.error
    )
    writer.message(assistant)


def clear_retry(assistant: AssistantMessage, writer: RecordWriter) -> None:
    """Cheap when there is nothing to clear: called for every event of a step."""
    if assistant.retry is not None:
        assistant.retry = None
        writer.message(assistant)
