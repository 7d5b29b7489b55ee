"""The record writer keeps nothing per part once the part (or its turn) is over: over hundreds of parts, in a
long-running TUI, its bookkeeping stays bounded."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent_tui.core.bus import Bus
from agent_tui.core.models import TextPart, ToolPart, ToolState, now_ms
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.storage import Storage

PARTS = 500


def per_part_entries(writer: RecordWriter) -> int:
    return len(writer._last_write) + len(writer._timers) + len(writer._dirty)


async def test_nothing_is_kept_per_part_after_parts_end(tmp_path: Path) -> None:
    writer = RecordWriter(Storage(tmp_path / "db.sqlite"), Bus(), interval=0.01)
    for n in range(PARTS):
        text = TextPart(session_id="ses_1", message_id=f"msg_{n // 10}", time_start=now_ms())
        writer.append(text, "some ")
        writer.append(text, "words")
        text.time_end = now_ms()
        writer.part(text)
        tool = ToolPart(session_id="ses_1", message_id=f"msg_{n // 10}", call_id=f"c{n}", tool="bash",
                        state=ToolState(status="running", input={"command": "ls"}))
        writer.part(tool, force=False)  # live output: coalesced
        tool.state.status = "completed"
        tool.state.output = "done"
        writer.part(tool, force=False)  # finished, but not forced: written by the coalescing timer
        if n % 50 == 49:
            await asyncio.sleep(0.02)  # the timers fire
    await asyncio.sleep(0.02)
    assert writer.flush()
    assert per_part_entries(writer) == 0


async def test_parts_cut_off_by_a_deleted_session_are_dropped_at_the_turn_end(tmp_path: Path) -> None:
    writer = RecordWriter(Storage(tmp_path / "db.sqlite"), Bus(), interval=60)
    for n in range(PARTS):
        text = TextPart(session_id=f"ses_{n}", message_id=f"msg_{n}", time_start=now_ms())
        writer.append(text, "half a rep")  # the session is deleted mid-stream: the part never ends
        writer.forget([text.session_id])
    assert writer.flush()  # a turn's end
    assert per_part_entries(writer) == 0
