"""A stored session as the updates `session/load` sends before it answers: the user's prompts, the replies,
their reasoning, every tool call in its final state, and the todo list as the plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from acp.helpers import (
    resource_link_block,
    update_agent_message_text,
    update_agent_thought_text,
    update_user_message,
    update_user_message_text,
)

from agent_tui.acp import updates
from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    MessageWithParts,
    ReasoningPart,
    Session,
    TextPart,
    ToolPart,
)


def history_updates(session: Session, messages: list[MessageWithParts], directory: Path) -> Iterator[Any]:
    for message in messages:
        info = message.info
        if isinstance(info, AssistantMessage):
            if info.summary:
                continue  # the compaction summary is for the model; the conversation it sums up is still here
            for part in message.parts:
                if isinstance(part, TextPart) and part.text and not part.synthetic:
                    yield update_agent_message_text(part.text)
                elif isinstance(part, ReasoningPart) and part.text:
                    yield update_agent_thought_text(part.text)
                elif isinstance(part, ToolPart):
                    yield updates.start_call(part, directory)
        else:
            for part in message.parts:
                # A long paste from the TUI is not replayed: the typed text holds its chip.
                if isinstance(part, TextPart) and part.text and not part.synthetic and part.paste is None:
                    yield update_user_message_text(part.text)
                elif isinstance(part, FilePart):
                    yield update_user_message(resource_link_block(part.filename or part.url, part.url,
                                                                  mime_type=part.mime))
    if session.todos:
        yield updates.plan(session.todos)
