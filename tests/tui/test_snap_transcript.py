"""Snapshots of the message log (120×40, fixed clock, ids and paths). Update with `pytest --snapshot-update`."""

from __future__ import annotations

from typing import Any

from agent_tui.core.events import MessageUpdated, PartUpdated
from agent_tui.core.models import AssistantMessage, MessageTime, ReasoningPart, TextPart, ToolPart, ToolState
from agent_tui.testing.streamed_events import streamed
from agent_tui.tui.transcript import Transcript, demo
from tests.tui.transcript_apps import TranscriptApp, settle

SIZE = (120, 40)

STREAMING = """\
I found the problem: `publish` awaits each subscriber in turn, so one slow widget stalls every other one.

The fix has three parts:

1. bound every queue
2. drop events for a subscriber that is behind
3. never await a subscriber from the engine

Here is the new method:

```python
def publish(self, event: Event) -> None:
    for queue in list(self._subscribers):
        if queue.full():
"""


def streaming_events() -> list[object]:
    message = AssistantMessage(id="msg_100000", session_id=demo.SESSION, provider="anthropic", model=demo.MODEL,
                               time=MessageTime(created=demo.T0 + 20_000))
    events: list[object] = [MessageUpdated(message=message)]
    reasoning = ReasoningPart(id="prt_100001", session_id=demo.SESSION, message_id=message.id,
                              text="The queue is unbounded and publish awaits put(). Bound it and skip full ones.",
                              time_start=demo.T0 + 20_100, time_end=demo.T0 + 21_300)
    events.append(PartUpdated(part=reasoning))
    bash = ToolPart(id="prt_100002", session_id=demo.SESSION, message_id=message.id, call_id="call_1", tool="bash",
                    state=ToolState(status="running", input={"command": "pytest -q tests/core"},
                                    metadata={"output": "tests/core/test_bus.py ......\ntests/core/test_config.py ..."},
                                    time_start=demo.T0 + 58_000))
    events.append(PartUpdated(part=bash))
    step = 7
    part = TextPart(id="prt_100003", session_id=demo.SESSION, message_id=message.id, time_start=demo.T0 + 62_000)
    events += streamed(part, [STREAMING[start : start + step] for start in range(0, len(STREAMING), step)])
    return events


def test_snap_finished_conversation_with_every_panel(snap_compare: Any) -> None:
    async def top(pilot: Any) -> None:
        log = pilot.app.query_one(Transcript)
        await settle(pilot, log)
        log.scroll_home(animate=False)
        await settle(pilot, log)

    assert snap_compare(TranscriptApp(demo.full_conversation()), terminal_size=SIZE, run_before=top)


def test_snap_finished_conversation_end_with_details(snap_compare: Any) -> None:
    async def details(pilot: Any) -> None:
        log = pilot.app.query_one(Transcript)
        await settle(pilot, log)
        log.toggle_details()
        log.scroll_end(animate=False)
        await settle(pilot, log)

    assert snap_compare(TranscriptApp(demo.full_conversation()), terminal_size=SIZE, run_before=details)


def test_snap_reply_mid_stream(snap_compare: Any) -> None:
    async def stream(pilot: Any) -> None:
        log = pilot.app.query_one(Transcript)
        await settle(pilot, log)
        for event in streaming_events():
            log.apply(event)
        await settle(pilot, log)

    assert snap_compare(TranscriptApp(demo.full_conversation()[:1]), terminal_size=SIZE, run_before=stream)


def test_snap_errors(snap_compare: Any) -> None:
    async def wait(pilot: Any) -> None:
        await settle(pilot, pilot.app.query_one(Transcript))

    assert snap_compare(TranscriptApp(demo.error_conversation()), terminal_size=SIZE, run_before=wait)
