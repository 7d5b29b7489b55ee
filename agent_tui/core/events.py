"""Typed events published on the bus. Every change the engine makes is one of these."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.models import Message, MessageError, Part, Session


class Event(DeferredModel):  # built on first use: see core/deferred_models.py
    name: ClassVar[str] = "event"


class SessionUpdated(Event):
    name: ClassVar[str] = "session.updated"
    type: Literal["session.updated"] = "session.updated"
    session: Session


class SessionDeleted(Event):
    name: ClassVar[str] = "session.deleted"
    type: Literal["session.deleted"] = "session.deleted"
    session_id: str


class SessionBusy(Event):
    """A run started on a session (the sidebar's busy indicator)."""

    name: ClassVar[str] = "session.busy"
    type: Literal["session.busy"] = "session.busy"
    session_id: str


class SessionIdle(Event):
    name: ClassVar[str] = "session.idle"
    type: Literal["session.idle"] = "session.idle"
    session_id: str


class SessionError(Event):
    name: ClassVar[str] = "session.error"
    type: Literal["session.error"] = "session.error"
    session_id: str | None
    error: MessageError


class MessageUpdated(Event):
    name: ClassVar[str] = "message.updated"
    type: Literal["message.updated"] = "message.updated"
    message: Message


class MessageRemoved(Event):
    name: ClassVar[str] = "message.removed"
    type: Literal["message.removed"] = "message.removed"
    session_id: str
    message_id: str


class PartUpdated(Event):
    """A part as it is now. A streaming text or reasoning part is published whole only at its start, with each
    of its coalesced storage writes (a few times a second) and at its end (`time_end` set); the text in between
    arrives as `PartDelta` events."""

    model_config = ConfigDict(extra="forbid")  # `delta=` belongs to PartDelta now: fail, never drop it silently
    name: ClassVar[str] = "part.updated"
    type: Literal["part.updated"] = "part.updated"
    part: Part


class PartDelta(Event):
    """Text appended to a streaming text or reasoning part, published for each chunk instead of the whole part
    (whose text grows with the reply).

    `offset` is the length of the part's text before `delta`. A subscriber keeps its own copy of the text (from
    the part's `PartUpdated`) and adds `delta` when its copy is `offset` long; one whose copy is shorter (it
    started listening mid-part) waits for the next `PartUpdated`, which carries the whole text."""

    name: ClassVar[str] = "part.delta"
    type: Literal["part.delta"] = "part.delta"
    session_id: str
    message_id: str
    part_id: str
    part_type: Literal["text", "reasoning"]
    delta: str
    offset: int


class PermissionAsked(Event):
    name: ClassVar[str] = "permission.asked"
    type: Literal["permission.asked"] = "permission.asked"
    id: str
    session_id: str
    permission: str  # "edit", "bash", "webfetch", "external_directory", ...
    title: str
    pattern: str | None = None
    call_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class PermissionReplied(Event):
    name: ClassVar[str] = "permission.replied"
    type: Literal["permission.replied"] = "permission.replied"
    id: str
    session_id: str
    reply: Literal["once", "always", "reject"]


class FileChanged(Event):
    name: ClassVar[str] = "file.changed"
    type: Literal["file.changed"] = "file.changed"
    path: str
    change: Literal["added", "modified", "deleted"]


class UndoUnavailable(Event):
    """Checkpoints cannot be taken (git missing, or the snapshot repository failed): undo is off. Sent once."""

    name: ClassVar[str] = "undo.unavailable"
    type: Literal["undo.unavailable"] = "undo.unavailable"
    session_id: str | None = None
    reason: str


class StorageProblem(Event):
    """Records cannot be written (database locked, disk full, folder read-only): they are kept in memory and
    retried. Sent when the problem starts (`resolved` false) and when everything is saved again (true)."""

    name: ClassVar[str] = "storage.problem"
    type: Literal["storage.problem"] = "storage.problem"
    message: str
    resolved: bool = False
    unsaved: int = 0


class McpStatusChanged(Event):
    name: ClassVar[str] = "mcp.status"
    type: Literal["mcp.status"] = "mcp.status"
    server: str
    status: Literal["disabled", "starting", "ready", "failed", "stopped"]
    tools: int = 0
    error: str | None = None


AnyEvent = Annotated[
    SessionUpdated | SessionDeleted | SessionBusy | SessionIdle | SessionError | MessageUpdated
    | MessageRemoved | PartUpdated | PartDelta | PermissionAsked | PermissionReplied | FileChanged | McpStatusChanged
    | UndoUnavailable | StorageProblem,
    Field(discriminator="type"),
]
