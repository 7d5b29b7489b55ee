"""The one subscriber on the engine's bus: engine events reach the app as Textual messages, in order.

The service runs inside Textual's asyncio loop (chat turns are workers), so events normally arrive on the app's
thread; the few from elsewhere (the file watcher) go through the same lock and the thread-safe `post_message`.
Events wait in a queue and the app is sent one `EngineEvents` message whenever the queue stops being empty; it
takes everything queued at once. A reply streamed at full speed arrives many chunks between two turns of the
app's loop, and one Textual message per chunk cost as much as everything else the app did with it.
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
TRANSCRIPT_EVENTS = (MessageUpdated, PartUpdated, MessageRemoved)
# Events the sidebar hears for every session.
SIDEBAR_EVENTS = (SessionUpdated, SessionBusy, SessionIdle, SessionDeleted)


def session_of(event: Event) -> str | None:
    """The session an event belongs to, or None for project-wide events (files, MCP servers)."""
    match event:
        case SessionUpdated():
            return event.session.id
        case MessageUpdated():
            return event.message.session_id
        case PartUpdated():
            return event.part.session_id
        case (
            SessionDeleted() | SessionBusy() | SessionIdle() | SessionError() | MessageRemoved()
            | PermissionAsked() | PermissionReplied()
        ):
            return event.session_id
    return None


class EngineEvent(Message):
    """An engine event delivered to the app; `session_id` says which session it is about (None: project-wide)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event
        self.session_id = session_of(event)


class EngineEvents(Message):
    """Engine events have arrived: `take()` them (all that are queued, in order)."""

    def __init__(self, bridge: EventBridge) -> None:
        super().__init__()
        self.bridge = bridge

    def take(self, *, stop_after: Callable[[Event], bool] | None = None) -> list[EngineEvent]:
        return self.bridge.take(stop_after=stop_after)


class EventBridge:
    """Subscribes once to the bus and hands every event to `target` (the app), in order (see the module)."""

    def __init__(self, bus: Bus, target: MessagePump) -> None:
        self._bus = bus
        self._target = target
        self._unsubscribe: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._queued: list[Event] = []
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

    def take(self, *, stop_after: Callable[[Event], bool] | None = None) -> list[EngineEvent]:
        """What is queued since the last take, oldest first: everything, or up to the first event `stop_after`
        picks. What is left stays queued and no message announces it: call `take` again (see `pending`)."""
        with self._lock:
            events = self._queued
            cut = len(events)
            if stop_after is not None:
                cut = next((n + 1 for n, event in enumerate(events) if stop_after(event)), cut)
            taken, self._queued = events[:cut], events[cut:]
            self._announced = bool(self._queued)
        return [EngineEvent(event) for event in taken]

    @property
    def pending(self) -> bool:
        """True when events were left queued by a `take` that stopped early."""
        with self._lock:
            return bool(self._queued)

    def _on_event(self, event: Event) -> None:
        with self._lock:
            self._queued.append(event)
            if self._announced:
                return
            self._announced = True
        if not self._target.post_message(EngineEvents(self)):
            with self._lock:  # the app is closing and takes no more messages: nothing will come to take these
                self._queued.clear()
                self._announced = False
