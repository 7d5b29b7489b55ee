"""Compaction's summary turn: stream the model's summary of the conversation into a `summary` assistant message.

When to compact and what to ask are in compaction.py; this runs the request under the session's run, so Esc
stops it like any turn, and counts its cost on the session.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from agent_tui.core.llm.catalog import ResolvedModel
from agent_tui.core.llm.cost import step_cost
from agent_tui.core.llm.errors import ProviderError
from agent_tui.core.llm.stream import TextDelta, Usage, stream_completion
from agent_tui.core.models import AssistantMessage, MessageError, Session, TextPart, now_ms
from agent_tui.core.session import compaction
from agent_tui.core.session.loop import provider_error_to_message, usage_tokens
from agent_tui.core.session.prompt import build_system_prompt
from agent_tui.core.session.runs import Run

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService


async def summarise(service: SessionService, run: Run, session: Session, model: ResolvedModel) -> AssistantMessage:
    history = service.storage.list_messages(session.id)
    system = await asyncio.to_thread(
        build_system_prompt, service.project, service.catalog.family(model), service.config.instructions
    )
    request = compaction.summary_request(history, system, model)
    summary = AssistantMessage(session_id=session.id, provider=model.provider, model=model.model_id, summary=True)
    writer = service._writer
    writer.message(summary)
    part = TextPart(session_id=session.id, message_id=summary.id, time_start=now_ms())

    async def work() -> None:
        try:
            async for event in stream_completion(request, base_delay=service.retry_base_delay):
                if isinstance(event, TextDelta):
                    writer.append(part, event.text)
                elif isinstance(event, Usage):
                    summary.tokens = usage_tokens(event)
                    summary.cost = step_cost(summary.tokens, model.info)
                    summary.context_tokens = summary.tokens.output  # what stays in the context: the summary
                    service._add_cost(session.id, summary.cost)
        except ProviderError as exc:
            summary.error = provider_error_to_message(exc)

    await service._run_guarded(run, work(), summary, lambda reason: None)
    part.time_end = now_ms()
    writer.part(part)
    if not part.text.strip() and summary.error is None:
        summary.error = MessageError(kind="unknown", message="The model returned an empty summary.")
    service._finish(summary)
    return summary
