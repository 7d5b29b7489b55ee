"""The one subscriber on the engine's bus: engine events reach the app in order, in batches.

The service runs inside Textual's asyncio loop (chat turns are workers), so events normally arrive on the app's
thread; the few from elsewhere (the file watcher) go through the same lock and the thread-safe `post_message`.
Events wait in a queue and the app is sent one `EngineEvents` message whenever the queue stops being empty; it
takes everything queued at once, as the events themselves (wrapping each in a Textual message only to carry
its session id cost a few µs an event). A reply streamed at full speed arrives many chunks between two turns of
the app's loop: consecutive deltas of one part are joined as they are queued, so such a batch is one
`PartDelta` for the app to apply, however many chunks it held.

A reply paced slower than the app drains it (a chunk every few ms) would instead wake the app once per chunk,
each wake-up a full turn of its message loop for a few characters the next frame shows anyway. So a delta wakes
the app at most once per frame interval (`FRAME_SECONDS`, the log's fastest pace): one that arrives sooner after
the last take waits in the queue, and a timer wakes the app at the next frame boundary. Anything else (the end of
a part, tool calls, permission requests, errors, status) wakes it at once and takes the waiting deltas with it,
so the end of a reply is not delayed and nothing is reordered.
"""

from __future__ import annotations

import asyncio
import threading
import time
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
from agent_tui.tui.transcript.frame_pace import FRAME_SECONDS

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

    def __init__(self, bus: Bus, target: MessagePump, *, delta_interval: float = FRAME_SECONDS) -> None:
        self._bus = bus
        self._target = target
        self._delta_interval = delta_interval  # the least time between a take and a wake-up for deltas only
        self._unsubscribe: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._queued: list[Event | _DeltaRun] = []
        self._announced = False  # an EngineEvents message is on its way and will take what is queued
        self._timer: asyncio.TimerHandle | None = None  # deltas are queued, a wake-up is due at the next frame
        self._last_take = float("-inf")

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
            self._cancel_timer()

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
            if not self._queued:
                self._cancel_timer()
            self._last_take = time.monotonic()
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
                if self._announced or self._timer is not None or self._wait_for_frame():
                    return
            else:
                queued.append(event)
                if self._announced:
                    return
                self._cancel_timer()  # not a delta: at once, with the deltas waiting before it
            self._announced = True
        self._post()

    def _wait_for_frame(self) -> bool:
        """Under the lock, for a delta: True when a timer will wake the app at the next frame boundary instead."""
        wait = self._last_take + self._delta_interval - time.monotonic()
        if wait <= 0:
            return False
        try:
            loop = asyncio.get_running_loop()  # the app's loop: events from other threads are posted at once
        except RuntimeError:
            return False
        self._timer = loop.call_later(wait, self._frame_due)
        return True

    def _frame_due(self) -> None:
        with self._lock:
            self._timer = None
            if self._announced or not self._queued:
                return
            self._announced = True
        self._post()

    def _cancel_timer(self) -> None:
        # Under the lock. A timer exists only on the app's thread, where every caller of this runs but `stop`
        # from elsewhere; a late wake-up finds nothing queued and does nothing.
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _post(self) -> None:
        if not self._target.post_message(EngineEvents(self)):
            with self._lock:  # the app is closing and takes no more messages: nothing will come to take these
                self._queued.clear()
                self._announced = False
