"""Text streaming into a part, through the record writer: published as deltas, kept as pieces, written whole."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent_tui.core.bus import Bus
from agent_tui.core.events import Event, PartDelta, PartUpdated
from agent_tui.core.models import ReasoningPart, TextPart, now_ms
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.storage import Storage


def _writer(tmp_path: Path, interval: float = 0.05) -> tuple[RecordWriter, list[Event]]:
    bus = Bus()
    seen: list[Event] = []
    bus.subscribe_all(seen.append)
    return RecordWriter(Storage(tmp_path / "db.sqlite"), bus, interval=interval), seen


async def test_a_streamed_part_is_published_as_deltas_and_stored_whole(tmp_path: Path) -> None:
    writer, seen = _writer(tmp_path)
    part = TextPart(session_id="ses_1", message_id="msg_1", time_start=now_ms())
    pieces = [f"word{n} " for n in range(3_000)]
    for n, piece in enumerate(pieces):
        writer.append(part, piece)
        if n % 500 == 499:
            await asyncio.sleep(0.06)  # a pause longer than the interval: the coalescing timer writes the part
    stored_mid = writer.storage.get_part(part.id)
    assert isinstance(stored_mid, TextPart) and stored_mid.text == "".join(pieces)  # the timer's write is whole
    part.time_end = now_ms()
    writer.part(part)
    whole = "".join(pieces)
    assert part.text == whole
    stored = writer.storage.get_part(part.id)
    assert isinstance(stored, TextPart) and stored.text == whole and stored.time_end is not None
    deltas = [e for e in seen if isinstance(e, PartDelta)]
    assert [d.delta for d in deltas] == pieces
    assert [d.offset for d in deltas] == [len("".join(pieces[:n])) for n in range(len(pieces))]
    wholes = [e.part for e in seen if isinstance(e, PartUpdated)]
    assert wholes[0].text == "" and wholes[-1].text == whole
    # The whole part goes out a few times (start, coalesced writes, end), never once per chunk.
    assert 3 <= len(wholes) < 100
    assert all(whole.startswith(p.text) for p in wholes)


async def test_a_flush_mid_stream_stores_the_text_so_far(tmp_path: Path) -> None:
    # A retry or a flush between two chunks (a storage problem clearing, the next step starting) writes the
    # pieces too, never the text as it was at the last coalesced write.
    writer, _ = _writer(tmp_path, interval=60)
    part = ReasoningPart(session_id="ses_1", message_id="msg_1", time_start=now_ms())
    writer.append(part, "first ")
    writer.append(part, "second")
    assert writer.flush()
    stored = writer.storage.get_part(part.id)
    assert isinstance(stored, ReasoningPart) and stored.text == "first second"
    writer.append(part, " third")
    part.time_end = now_ms()
    writer.part(part)
    assert part.text == "first second third"


async def test_deltas_of_a_deleted_session_are_dropped(tmp_path: Path) -> None:
    writer, seen = _writer(tmp_path)
    part = TextPart(session_id="ses_gone", message_id="msg_1", time_start=now_ms())
    writer.append(part, "before ")
    writer.forget(["ses_gone"])
    seen.clear()
    writer.append(part, "after")
    part.time_end = now_ms()
    writer.part(part)
    assert seen == []
    await asyncio.sleep(0.1)
    assert writer.storage.get_part(part.id) is None
