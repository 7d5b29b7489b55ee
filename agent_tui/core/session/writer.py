"""Publishing and persisting records as they change.

Every change is published on the bus at once. Storage writes of a streaming part are coalesced (at most one
per `interval` seconds per part, with a timer so the last delta is never left unwritten for long) and forced at
each part boundary and at the end of a turn.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from agent_tui.core.bus import Bus
from agent_tui.core.events import MessageUpdated, PartUpdated
from agent_tui.core.models import Message, Part, ReasoningPart, TextPart
from agent_tui.core.storage import Storage


def snapshot(part: Part) -> Part:
    """A copy of `part` as it is now, for an event.

    Text and reasoning parts hold only immutable values (strings, ints, bools), so a shallow copy is already a
    snapshot; they are the parts that change at every chunk, and a deep copy costs three times as much. Tool
    parts hold a mutable state (input, metadata) and are copied deeply.
    """
    if isinstance(part, TextPart | ReasoningPart):
        return part.model_copy()
    return part.model_copy(deep=True)


class RecordWriter:
    def __init__(self, storage: Storage, bus: Bus, *, interval: float = 0.25) -> None:
        self.storage = storage
        self.bus = bus
        self.interval = interval
        self._dirty: dict[str, Part] = {}
        self._last_write: dict[str, float] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._deleted: set[str] = set()

    def forget(self, session_ids: Iterable[str]) -> None:
        """Sessions being deleted: a turn of theirs still finishing must not write orphan records back."""
        self._deleted.update(session_ids)

    def message(self, message: Message) -> None:
        if message.session_id in self._deleted:
            return
        self.storage.put_message(message)
        # Events carry snapshots: the engine keeps mutating its records, and a subscriber that keeps an event
        # (the TUI applies them a moment later) must see the record as it was, not as it is now.
        self.bus.publish(MessageUpdated(message=message.model_copy(deep=True)))

    def part(self, part: Part, *, delta: str | None = None, force: bool = True) -> None:
        """Publish `part`; write it now when `force`, else within `interval`."""
        if part.session_id in self._deleted:
            return
        self.bus.publish(PartUpdated(part=snapshot(part), delta=delta))
        now = time.monotonic()
        if force or now - self._last_write.get(part.id, 0.0) >= self.interval:
            self._write(part)
            return
        self._dirty[part.id] = part
        if part.id not in self._timers:
            delay = self.interval - (now - self._last_write.get(part.id, 0.0))
            self._timers[part.id] = asyncio.get_running_loop().call_later(max(delay, 0.0), self._flush_one, part.id)

    def _write(self, part: Part) -> None:
        self._dirty.pop(part.id, None)
        timer = self._timers.pop(part.id, None)
        if timer is not None:
            timer.cancel()
        if part.session_id in self._deleted:
            return
        self.storage.put_part(part)
        self._last_write[part.id] = time.monotonic()

    def _flush_one(self, part_id: str) -> None:
        self._timers.pop(part_id, None)
        part = self._dirty.get(part_id)
        if part is not None:
            self._write(part)

    def flush(self) -> None:
        for part in list(self._dirty.values()):
            self._write(part)
