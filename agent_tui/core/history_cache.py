"""Parsed histories kept between steps, so that building a request does not re-read and re-validate every
stored message and part of the session (what made reply #51 slower than #1).

The cache lives in `Storage`, which tells it of every write it commits: the JSON it just stored replaces the
cached row and is parsed only when the history is next asked for, so a streaming part written four times a second
costs nothing more here. Writes by anyone else (another agent-tui on the same database, or another connection in
this process) change SQLite's `PRAGMA data_version`, which `Storage.history` checks on every call: then the whole
cache is dropped and the session read again. Rare writes (deletions, forks, imports) drop the cache too, rather
than being mirrored. Only committed writes reach it: a transaction that fails leaves it as it was.

What `Storage.history` returns is shared with the cache: read it, never change it in place (copy a record before
changing it, as `close_crashed_turn` and `discard_redo` do). `Storage.list_messages` still returns fresh objects.

A part stored longer than `BIG_ROW` (a long paste sent as an attachment, core/session/pastes.py) is not kept: it
is read again each time a history is assembled, and neither the message holding it nor the listing is kept, so
its text is in memory only while a step builds its request, not for as long as the session is cached (a
100,000-line paste stayed as 7 MB after the send). One indexed read of one row per step is its whole cost.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ConfigDict, TypeAdapter

from agent_tui.core.models import Message, MessageWithParts, Part

# Built on first use, like the models (core/deferred_models.py).
_MESSAGE = TypeAdapter(Message, config=ConfigDict(defer_build=True))
_PART = TypeAdapter(Part, config=ConfigDict(defer_build=True))
MAX_SESSIONS = 8  # sessions kept parsed: the ones on screen and their sub-agents
BIG_ROW = 256_000  # characters of JSON: a part longer than this is read again when needed, never kept


@dataclass
class _Row:
    data: str | None  # the stored JSON, until it is parsed
    record: Message | Part | None = None
    big: bool = False  # too long to keep: read from the database when assembled (then data stays None)


def _row(data: str) -> _Row:
    return _Row(None, big=True) if len(data) > BIG_ROW else _Row(data)


@dataclass
class _Session:
    messages: dict[str, _Row] = field(default_factory=dict)
    parts: dict[str, dict[str, _Row]] = field(default_factory=dict)  # by message id, then part id
    assembled: dict[str, MessageWithParts] = field(default_factory=dict)  # by message id, dropped on change
    listing: list[MessageWithParts] | None = None  # the whole history, dropped on any change
    order: list[str] | None = None  # message ids in order, dropped when a message is added


class HistoryCache:
    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self.max_sessions = max_sessions
        self.version: int | None = None  # the data_version the cached rows were read at
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    def clear(self) -> None:
        self._sessions.clear()

    def at_version(self, version: int) -> None:
        """The database's `PRAGMA data_version` now: when another connection has committed since, drop all."""
        if version != self.version:
            self.clear()
            self.version = version

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._sessions

    def fill(self, session_id: str, messages: list[tuple[str, str]], parts: list[tuple[str, str, str]]) -> None:
        """Rows as read: (message id, data) and (message id, part id, data), in any order."""
        entry = _Session()
        for message_id, data in messages:
            entry.messages[message_id] = _Row(data)
        for message_id, part_id, data in parts:
            entry.parts.setdefault(message_id, {})[part_id] = _row(data)
        self._sessions[session_id] = entry
        self._sessions.move_to_end(session_id)
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)

    # --- what Storage committed ---------------------------------------------------------------------------

    def message_written(self, session_id: str, message_id: str, data: str) -> None:
        entry = self._sessions.get(session_id)
        if entry is None:
            return
        row = entry.messages.get(message_id)
        if row is None:
            entry.messages[message_id] = _Row(data)
            entry.order = None
        else:
            row.data, row.record = data, None
        self._changed(entry, message_id)

    def part_written(self, session_id: str, message_id: str, part_id: str, data: str) -> None:
        entry = self._sessions.get(session_id)
        if entry is None:
            return
        rows = entry.parts.setdefault(message_id, {})
        rows[part_id] = _row(data)
        self._changed(entry, message_id)

    @staticmethod
    def _changed(entry: _Session, message_id: str) -> None:
        entry.assembled.pop(message_id, None)
        entry.listing = None

    # --- reading ------------------------------------------------------------------------------------------

    def history(self, session_id: str, load: Callable[[str], str | None]) -> list[MessageWithParts]:
        """The session's messages in id order, each with its parts in id order (call only when cached).
        `load(part_id)`: the stored JSON of a part too big to keep (None when it is gone)."""
        entry = self._sessions[session_id]
        self._sessions.move_to_end(session_id)
        if entry.listing is not None:
            return entry.listing
        if entry.order is None:
            entry.order = sorted(entry.messages)
        listing = []
        keep = True
        for message_id in entry.order:
            assembled = entry.assembled.get(message_id)
            if assembled is None:
                assembled, big = self._assemble(entry, message_id, load)
                if big:
                    keep = False
                else:
                    entry.assembled[message_id] = assembled
            listing.append(assembled)
        entry.listing = listing if keep else None
        return listing

    @staticmethod
    def _assemble(entry: _Session, message_id: str,
                  load: Callable[[str], str | None]) -> tuple[MessageWithParts, bool]:
        info = _parsed(entry.messages[message_id], _MESSAGE)
        rows = entry.parts.get(message_id, {})
        parts: list[object] = []
        big = False
        for part_id in sorted(rows):
            row = rows[part_id]
            if row.big:
                big = True
                data = load(part_id)
                if data is not None:
                    parts.append(_PART.validate_json(data))
            else:
                parts.append(_parsed(row, _PART))
        # Records already validated: construct without validating them again.
        return MessageWithParts.model_construct(info=info, parts=parts), big


def _parsed(row: _Row, adapter: TypeAdapter) -> object:  # type: ignore[type-arg]
    if row.record is None:
        assert row.data is not None
        row.record = adapter.validate_json(row.data)
        row.data = None
    return row.record
