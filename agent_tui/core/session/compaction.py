"""Compaction: when the last turn filled more than 90% of the usable context, the conversation is summarised
into a `summary` assistant message and only the messages from it on are sent afterwards."""

from __future__ import annotations

from agent_tui.core.llm.catalog import ModelInfo, ResolvedModel
from agent_tui.core.llm.stream import LLMRequest
from agent_tui.core.models import AssistantMessage, MessageWithParts
from agent_tui.core.session.history import to_llm_messages
from agent_tui.resources import read_prompt

THRESHOLD = 0.9


def needs_compaction(history: list[MessageWithParts], model: ModelInfo) -> bool:
    for message in reversed(history):
        info = message.info
        if isinstance(info, AssistantMessage):
            if info.summary:
                return False
            return info.context_tokens > THRESHOLD * model.usable_context
    return False


def summary_request(history: list[MessageWithParts], system: list[str], model: ResolvedModel) -> LLMRequest:
    """The conversation so far plus the summary instructions, with no tools."""
    messages = to_llm_messages(history, system, vision=False)
    messages.append({"role": "user", "content": read_prompt("summary.md")})
    return LLMRequest(
        model=model.litellm_model, provider=model.provider, messages=messages, api_base=model.api_base,
        api_key=model.api_key, key_env=model.key_env, temperature=0 if model.info.temperature else None,
        max_tokens=min(model.info.output, 8_000), extra_headers=model.headers,
    )
