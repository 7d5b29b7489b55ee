"""Compaction: when the last turn filled more than 90% of the usable context, the conversation is summarised
into a `summary` assistant message and only the messages from it on are sent afterwards."""

from __future__ import annotations

from agent_tui.core.llm.catalog import ModelInfo
from agent_tui.core.models import AssistantMessage, MessageWithParts

THRESHOLD = 0.9


def needs_compaction(history: list[MessageWithParts], model: ModelInfo) -> bool:
    for message in reversed(history):
        info = message.info
        if isinstance(info, AssistantMessage):
            if info.summary:
                return False
            return info.context_tokens > THRESHOLD * model.usable_context
    return False
