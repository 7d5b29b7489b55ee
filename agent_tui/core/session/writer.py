"""Publishing and persisting records as they change.

Every change is published on the bus at once: the whole record, or for text streaming into a part only what was
added (`PartDelta`; the part's text is kept as pieces meanwhile, part_streams.py). Storage writes of a streaming
part are coalesced (at most one per `interval` seconds per part, with a timer so the last delta is never left
unwritten for long), each publishing the whole part, and forced at each part boundary and at the end of a turn.

A write that fails (database locked by another program, disk full, folder made read-only) never stops the turn:
the record stays in memory, a `StorageProblem` event says what is wrong, and every pending record is retried
each `retry_interval` seconds until one attempt succeeds; then a resolved `StorageProblem` is sent.

These writes run on the UI's event loop, so they never wait for another process's lock (`Storage.no_wait`):
a locked database fails the write at once and it is retried soon after. A lock held for less than
`NOTICE_AFTER` (another agent-tui writing, for milliseconds) is retried quietly; a longer one is reported.
Only the last flush at shutdown (`flush(wait=True)`) waits the storage's normal lock timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable

from agent_tui.core.bus import Bus
from agent_tui.core.events import MessageUpdated, PartDelta, PartUpdated, SessionUpdated, StorageProblem
from agent_tui.core.models import Message, Part, ReasoningPart, Session, TextPart, ToolPart
from agent_tui.core.session.part_streams import PartStreams, StreamedPart
from agent_tui.core.storage import Storage, StorageError

log = logging.getLogger(__name__)
NOTICE_AFTER = 1.0  # seconds a lock may last before it is reported (other failures are reported at once)
QUICK_RETRY = 0.05  # retry delay until then


def snapshot(part: Part) -> Part:
    """A copy of `part` as it is now, for an event.

    Text and reasoning parts hold only immutable values (strings, ints, bools), so a shallow copy is already a
    snapshot; they are the parts that change at every chunk, and a deep copy costs three times as much. Tool
    parts hold a mutable state (input, metadata) and are copied deeply.
    """
    if isinstance(part, TextPart | ReasoningPart):
        return part.model_copy()
    return part.model_copy(deep=True)


def _finished(part: Part) -> bool:
    if isinstance(part, TextPart | ReasoningPart):
        return part.time_end is not None
    if isinstance(part, ToolPart):
        return part.state.status in ("completed", "error")
    return True  # step markers and files are written once


class RecordWriter:
    def __init__(self, storage: Storage, bus: Bus, *, interval: float = 0.25, retry_interval: float = 1.0) -> None:
        self.storage = storage
        self.bus = bus
        self.interval = interval
        self.retry_interval = retry_interval
        self.problem: str | None = None  # what is wrong while records wait in memory (once reported)
        self._failing_since: float | None = None  # when writes started failing (reported or not yet)
        self._pending_messages: dict[str, Message] = {}
        self._pending_sessions: dict[str, Session] = {}
        self._retry: asyncio.TimerHandle | None = None
        self._dirty: dict[str, Part] = {}
        self._last_write: dict[str, float] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._deleted: set[str] = set()
        self._streams = PartStreams()  # text streaming into parts, as pieces (part_streams.py)

    def forget(self, session_ids: Iterable[str]) -> None:
        """Sessions being deleted: a turn of theirs still finishing must not write orphan records back, and
        what was waiting to be written for them (a coalesced part, a record kept through a storage problem) is
        dropped, so the next flush cannot write it either."""
        self._deleted.update(session_ids)
        self._streams.forget(self._deleted)
        for part_id, part in list(self._dirty.items()):
            if part.session_id in self._deleted:
                del self._dirty[part_id]
                timer = self._timers.pop(part_id, None)
                if timer is not None:
                    timer.cancel()
        for message_id, message in list(self._pending_messages.items()):
            if message.session_id in self._deleted:
                del self._pending_messages[message_id]
        for session_id in self._deleted & set(self._pending_sessions):
            del self._pending_sessions[session_id]

    def pending_session(self, session_id: str) -> Session | None:
        """A copy of the session record still waiting to be written (the newest one), if any."""
        session = self._pending_sessions.get(session_id)
        return None if session is None else session.model_copy(deep=True)

    def pending_sessions(self) -> list[Session]:
        return [session.model_copy(deep=True) for session in self._pending_sessions.values()]

    def session(self, session: Session) -> None:
        """Store and publish a session record (its title, time, cost), surviving a database that is locked."""
        if session.id in self._deleted:
            return
        self._pending_sessions[session.id] = session
        if self._failing_since is None:
            self._save(lambda: self._put_session(session.id))
        self.bus.publish(SessionUpdated(session=session.model_copy(deep=True)))

    def message(self, message: Message) -> None:
        if message.session_id in self._deleted:
            return
        self._pending_messages[message.id] = message
        if self._failing_since is None:
            self._save(lambda: self._put_message(message.id))
        # Events carry snapshots: the engine keeps mutating its records, and a subscriber that keeps an event
        # (the TUI applies them a moment later) must see the record as it was, not as it is now.
        self.bus.publish(MessageUpdated(message=message.model_copy(deep=True)))

    def part(self, part: Part, *, force: bool = True) -> None:
        """Publish `part` (whole); write it now when `force`, else within `interval`."""
        if part.session_id in self._deleted:
            return
        self._streams.settle(part)
        self.bus.publish(PartUpdated(part=snapshot(part)))
        if force or self._due(part.id):
            self._write(part)
            if _finished(part):  # nothing coalesces its writes any more
                self._streams.end(part.id)
            return
        self._coalesce(part)

    def append(self, part: StreamedPart, delta: str) -> None:
        """`delta` streamed into `part`: publish it as a `PartDelta` (the part's first also publishes the part,
        before it) and keep it; the whole part is written and published within `interval`."""
        if part.session_id in self._deleted:
            return
        offset, started = self._streams.add(part, delta)
        if started:
            self.bus.publish(PartUpdated(part=snapshot(part)))
            self._last_write.setdefault(part.id, time.monotonic())  # its first write is the coalesced one
        if delta:
            self.bus.publish(PartDelta(session_id=part.session_id, message_id=part.message_id, part_id=part.id,
                                       part_type=part.type, delta=delta, offset=offset))
        if self._due(part.id):
            self._flush_stream(part)
        else:
            self._coalesce(part)

    def _due(self, part_id: str) -> bool:
        return time.monotonic() - self._last_write.get(part_id, 0.0) >= self.interval

    def _coalesce(self, part: Part) -> None:
        self._dirty[part.id] = part
        if part.id not in self._timers:
            delay = self.interval - (time.monotonic() - self._last_write.get(part.id, 0.0))
            self._timers[part.id] = asyncio.get_running_loop().call_later(max(delay, 0.0), self._flush_one, part.id)

    def _flush_stream(self, part: Part) -> None:
        """A streaming part's coalesced write: its whole text is published with it, for subscribers that
        missed deltas (see `PartDelta`)."""
        self._streams.settle(part)
        self.bus.publish(PartUpdated(part=snapshot(part)))
        self._write(part)

    def _write(self, part: Part) -> None:
        self._dirty.pop(part.id, None)
        timer = self._timers.pop(part.id, None)
        if timer is not None:
            timer.cancel()
        if part.session_id in self._deleted:
            return
        finished = _finished(part)
        if finished:  # nothing coalesces its writes any more: no entry kept per part for the process's life
            self._last_write.pop(part.id, None)
        if self._failing_since is not None:
            self._dirty[part.id] = part  # written by the next retry
            return
        if not finished:
            self._last_write[part.id] = time.monotonic()
        self._dirty[part.id] = part
        self._save(lambda: self._put_part(part.id))

    # --- saving, and surviving a database that cannot be written ---------------------------------------------

    @property
    def unsaved(self) -> int:
        return len(self._pending_sessions) + len(self._pending_messages) + len(self._dirty)

    def _put_session(self, session_id: str) -> None:
        session = self._pending_sessions.get(session_id)
        if session is not None:
            self.storage.put_session(session)
            self._pending_sessions.pop(session_id, None)

    def _put_message(self, message_id: str) -> None:
        message = self._pending_messages.get(message_id)
        if message is not None:
            try:
                self.storage.put_message(message)
            except StorageError:
                raise
            except Exception:  # a record that cannot be serialised: retrying will not help
                self._pending_messages.pop(message_id, None)
                raise
            self._pending_messages.pop(message_id, None)

    def _put_part(self, part_id: str) -> None:
        part = self._dirty.get(part_id)
        if part is not None:
            self._streams.settle(part)
            try:
                self.storage.put_part(part)
            except StorageError:
                raise
            except Exception:
                self._dirty.pop(part_id, None)
                raise
            self._dirty.pop(part_id, None)

    def _save(self, write) -> bool:  # type: ignore[no-untyped-def]
        try:
            with self.storage.no_wait():
                write()
        except StorageError as exc:
            self._failed(exc)
            return False
        return True

    def _failed(self, exc: StorageError, *, final: bool = False) -> None:
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
            log.info("storage write failed, keeping records in memory: %s", exc)
        lasting = final or exc.kind != "busy" or now - self._failing_since >= NOTICE_AFTER
        if self.problem is None and lasting:
            log.warning("storage problem, keeping records in memory: %s", exc)
            self.problem = str(exc)
            self.bus.publish(StorageProblem(message=self.problem, unsaved=self.unsaved))
        if not final:
            self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry is not None:
            return
        delay = QUICK_RETRY if self.problem is None else self.retry_interval
        with contextlib.suppress(RuntimeError):  # no running loop (closing): the next flush retries
            self._retry = asyncio.get_running_loop().call_later(delay, self.retry)

    def retry(self, *, wait: bool = False) -> bool:
        """Write everything pending now (`wait`: for another process's lock as long as the storage allows).
        True when nothing is left unsaved."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        writes = [(self._put_session, session_id) for session_id in list(self._pending_sessions)]
        writes += [(self._put_message, message_id) for message_id in list(self._pending_messages)]
        writes += [(self._put_part, part_id) for part_id in list(self._dirty)]
        for write, record_id in writes:
            timer = self._timers.pop(record_id, None)
            if timer is not None:
                timer.cancel()
            try:
                with contextlib.nullcontext() if wait else self.storage.no_wait():
                    write(record_id)
            except StorageError as exc:
                self._failed(exc, final=wait)
                return False
            except Exception:
                log.exception("dropping a record that cannot be stored")
        self._failing_since = None
        if self.problem is not None:
            log.info("storage works again; every pending record is saved")
            self.problem = None
            self.bus.publish(StorageProblem(message="Saved again: every pending change is in the database.",
                                            resolved=True))
        return True

    def _flush_one(self, part_id: str) -> None:
        self._timers.pop(part_id, None)
        part = self._dirty.get(part_id)
        if part is None:
            return
        if self._streams.streaming(part_id):
            self._flush_stream(part)
        else:
            self._write(part)  # published when it changed

    def flush(self, *, wait: bool = False) -> bool:
        """Write everything pending. Without `wait` (during a turn, on the UI's loop) a locked database is not
        waited for: what cannot be written now is retried later. With it (the last flush, at shutdown) the
        storage's normal lock timeout is waited once more. True when it all reached the database."""
        saved = self.retry(wait=wait)
        # A turn's end: parts that never ended (their session deleted mid-stream, a crash) keep no entry. A part
        # still being written has a timer, a pending write or a stream; one without loses only its spacing.
        for part_id in [p for p in self._last_write if p not in self._dirty and p not in self._timers
                        and not self._streams.streaming(p)]:
            del self._last_write[part_id]
        return saved
