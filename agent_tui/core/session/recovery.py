"""Turns left unfinished by a process that died (kill -9, power loss) are closed when their session is next
opened, keeping what they received. Each turn records its owner ("host:pid") so that a turn another running
instance is still working on is left alone."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from agent_tui.core.models import AssistantMessage, MessageError, MessageWithParts, ToolPart, now_ms

if TYPE_CHECKING:
    from agent_tui.core.session.writer import RecordWriter

OWNER = f"{socket.gethostname()}:{os.getpid()}"
CRASHED = "Interrupted: agent-tui stopped before this reply finished."


def owner_alive(owner: str | None) -> bool:
    """Whether the process named by `owner` ("host:pid") may still be running. Other hosts count as alive."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def close_crashed_turn(writer: RecordWriter, last: MessageWithParts, *, shared: bool = False) -> None:
    """Close `last` as interrupted if it is an unfinished reply whose process is gone. `shared`: `last` comes from
    `Storage.history` and must not be changed in place (a copy is closed and stored). Stored through the writer:
    a database locked by another process keeps it in memory and retried, never waited for on the UI's loop."""
    info = last.info
    if not isinstance(info, AssistantMessage) or info.time.completed is not None or owner_alive(info.owner):
        return
    if shared:
        last = last.model_copy(deep=True)
        info = last.info
    for part in last.parts:
        if isinstance(part, ToolPart) and part.state.status in ("pending", "running"):
            part.state.status = "error"
            part.state.error = CRASHED
            writer.part(part)
    info.error = MessageError(kind="aborted", message=CRASHED)
    info.time.completed = now_ms()
    writer.message(info)
