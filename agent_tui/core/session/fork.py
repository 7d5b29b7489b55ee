"""Copies of a conversation for a fork: every message and part gets a new id in the new session."""

from __future__ import annotations

from agent_tui.core import ids
from agent_tui.core.models import Message, MessageWithParts, Part


def copy_history(history: list[MessageWithParts], session_id: str) -> tuple[list[Message], list[Part]]:
    messages: list[Message] = []
    parts: list[Part] = []
    for entry in history:
        info = entry.info.model_copy(deep=True, update={"session_id": session_id, "id": ids.ascending("msg")})
        messages.append(info)
        for part in entry.parts:
            parts.append(part.model_copy(deep=True, update={
                "session_id": session_id, "message_id": info.id, "id": ids.ascending("prt")}))
    return messages, parts
