"""The one subscriber on the engine's bus: engine events become Textual messages posted to the app.

The service runs inside Textual's asyncio loop (chat turns are workers), so events normally arrive on the app's
thread; `post_message` is thread-safe for the few that may come from elsewhere (the file watcher). Posting keeps
the order of events, and the app routes each message to the widgets that show it (see `MainScreen.route`).
"""

from __future__ import annotations

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


class EventBridge:
    """Subscribes once to the bus and posts every event to `target` (the app) as an `EngineEvent`."""

    def __init__(self, bus: Bus, target: MessagePump) -> None:
        self._bus = bus
        self._target = target
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._bus.subscribe_all(self._on_event)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        self._target.post_message(EngineEvent(event))
