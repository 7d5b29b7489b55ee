"""The one subscriber on the engine's bus: engine events reach the app in order, in batches.

The service runs inside Textual's asyncio loop (chat turns are workers), so events normally arrive on the app's
thread; the few from elsewhere (the file watcher) go through the same lock and the thread-safe `post_message`.
Events wait in a queue and the app is sent one `EngineEvents` message whenever the queue stops being empty; it
takes everything queued at once, as the events themselves (wrapping each in a Textual message only to carry
its session id cost a few µs an event). A reply streamed at full speed arrives many chunks between two turns of
the app's loop: consecutive deltas of one part are joined as they are queued, so such a batch is one
`PartDelta` for the app to apply, however many chunks it held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.message import Message
from textual.message_pump import MessagePump

from agent_tui.core.bus import Bus
from agent_tui.core.events import (
    Event,
    MessageRemoved,
    MessageUpdated,
    PartDelta,
    PartUpdated,
    PermissionAsked,
    PermissionReplied,
    SessionBusy,
    SessionDeleted,
    SessionError,
    SessionIdle,
    SessionUpdated,
)

# Events the message log of the session on screen applies.
TRANSCRIPT_EVENTS = (MessageUpdated, PartUpdated, PartDelta, MessageRemoved)
# Events the sidebar hears for every session.
SIDEBAR_EVENTS = (SessionUpdated, SessionBusy, SessionIdle, SessionDeleted)


def session_of(event: Event) -> str | None:
    """The session an event belongs to, or None for project-wide events (files, MCP servers)."""
    match event:
        case PartDelta():  # the most frequent, first
            return event.session_id
        case PartUpdated():
            return event.part.session_id
        case SessionUpdated():
            return event.session.id
        case MessageUpdated():
            return event.message.session_id
        case (
            SessionDeleted() | SessionBusy() | SessionIdle() | SessionError() | MessageRemoved()
            | PermissionAsked() | PermissionReplied()
        ):
            return event.session_id
    return None


class _DeltaRun:
    """Consecutive deltas of one part, queued as one (joined when taken)."""

    __slots__ = ("end", "first", "pieces")

    def __init__(self, first: PartDelta) -> None:
        self.first = first
        self.pieces = [first.delta]
        self.end = first.offset + len(first.delta)

    def extend(self, delta: PartDelta) -> bool:
        if delta.part_id != self.first.part_id or delta.offset != self.end:
            return False
        self.pieces.append(delta.delta)
        self.end += len(delta.delta)
        return True

    def event(self) -> PartDelta:
        if len(self.pieces) == 1:
            return self.first
        return self.first.model_copy(update={"delta": "".join(self.pieces)})


class EngineEvents(Message):
    """Engine events have arrived: `take()` them (all that are queued, in order)."""

    def __init__(self, bridge: EventBridge) -> None:
        super().__init__()
        self.bridge = bridge

    def take(self, *, stop_after: Callable[[Event], bool] | None = None) -> list[Event]:
        return self.bridge.take(stop_after=stop_after)


class EventBridge:
    """Subscribes once to the bus and hands every event to `target` (the app), in order (see the module)."""

    def __init__(self, bus: Bus, target: MessagePump) -> None:
        self._bus = bus
        self._target = target
        self._unsubscribe: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._queued: list[Event | _DeltaRun] = []
        self._announced = False  # an EngineEvents message is on its way and will take what is queued

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._bus.subscribe_all(self._on_event)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        with self._lock:  # nothing queued is shown once the app stops listening
            self._queued.clear()
            self._announced = False

    def take(self, *, stop_after: Callable[[Event], bool] | None = None) -> list[Event]:
        """What is queued since the last take, oldest first: everything, or up to the first event `stop_after`
        picks (a delta never ends anything). What is left stays queued and no message announces it: call `take`
        again (see `pending`)."""
        with self._lock:
            queued = self._queued
            cut = len(queued)
            if stop_after is not None:
                cut = next((n + 1 for n, item in enumerate(queued)
                            if not isinstance(item, _DeltaRun) and stop_after(item)), cut)
            taken, self._queued = queued[:cut], queued[cut:]
            self._announced = bool(self._queued)
        return [item.event() if isinstance(item, _DeltaRun) else item for item in taken]

    @property
    def pending(self) -> bool:
        """True when events were left queued by a `take` that stopped early."""
        with self._lock:
            return bool(self._queued)

    def _on_event(self, event: Event) -> None:
        with self._lock:
            queued = self._queued
            if isinstance(event, PartDelta):
                last = queued[-1] if queued else None
                if isinstance(last, _DeltaRun) and last.extend(event):
                    return  # announced with the first of the run
                queued.append(_DeltaRun(event))
            else:
                queued.append(event)
            if self._announced:
                return
            self._announced = True
        if not self._target.post_message(EngineEvents(self)):
            with self._lock:  # the app is closing and takes no more messages: nothing will come to take these
                self._queued.clear()
                self._announced = False
