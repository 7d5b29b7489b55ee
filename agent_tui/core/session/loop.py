"""One turn: stream a step from the model, run the tools it asked for (concurrently), feed the results back,
until the model stops calling tools or the step limit is reached.

The turn mutates the assistant message it is given (tokens, cost, error); the service finishes it, also when
the turn is aborted, so that nothing already received is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from agent_tui.core.llm.catalog import ResolvedModel
from agent_tui.core.llm.cost import price_step
from agent_tui.core.llm.errors import ProviderError
from agent_tui.core.llm.stream import (
    Finish,
    LLMRequest,
    ReasoningDelta,
    Retrying,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    Usage,
    stream_completion,
)
from agent_tui.core.models import (
    AssistantMessage,
    MessageError,
    ReasoningPart,
    StepFinishPart,
    StepStartPart,
    TextPart,
    TokenUsage,
    ToolPart,
    now_ms,
)
from agent_tui.core.secrets import SecretScrubber
from agent_tui.core.session.history import to_llm_messages
from agent_tui.core.session.repeat_guard import RepeatedFailures
from agent_tui.core.session.retry_note import clear_retry, note_retry
from agent_tui.core.session.runs import ABORTED
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.storage import Storage
from agent_tui.core.text_encoding import escape_surrogates
from agent_tui.core.tools.base import Tool, ToolContext, ToolError
from agent_tui.core.tools.truncate import truncate_for_model

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """Everything one turn needs; built by the service."""

    assistant: AssistantMessage
    model: ResolvedModel
    system: list[str]
    tools: Callable[[], list[Tool]]  # asked again at every step: MCP servers may come and go
    storage: Storage
    writer: RecordWriter
    make_context: Callable[[ToolPart], ToolContext]
    step_limit: int
    retry_base_delay: float = 1.0
    idle_timeout: float = 60.0  # seconds without data from the model before the attempt fails as stalled
    temperature: float | None = None  # the agent's; None: 0 for models that take a temperature
    produced: bool = False  # any visible text or tool call so far in this turn
    on_cost: Callable[[Decimal], None] = lambda cost: None  # each step's cost, as soon as it is known
    scrub: SecretScrubber = field(default_factory=lambda: SecretScrubber(()))
    checkpoint: Callable[[AssistantMessage, list[str]], AbstractAsyncContextManager[None]] = (
        lambda assistant, tools: nullcontext()
    )
    # Open parts, so that an abort can close them.
    open_parts: list[TextPart | ReasoningPart | ToolPart] = field(default_factory=list)
    repeats: RepeatedFailures = field(default_factory=RepeatedFailures)  # stops identical failing calls


def provider_error_to_message(error: ProviderError) -> MessageError:
    kind = error.kind if error.kind != "unknown" else "unknown"
    return MessageError(kind=kind, message=str(error), provider=error.provider, retryable=error.retryable)


def format_validation(tool: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(arguments)"
        problems.append(f"- {where}: {item['msg']}")
    return f"Invalid arguments for tool '{tool}':\n" + "\n".join(problems) + "\nFix the arguments and call it again."


async def run_turn(turn: Turn) -> None:
    assistant = turn.assistant
    for step in range(turn.step_limit):
        # The first listing may build the built-in tools (their imports cost ~0.2 s of CPU, seconds while litellm
        # loads beside them): never on the event loop (tests/session/test_turn_off_loop_imports.py).
        tools = {t.name: t for t in (await asyncio.to_thread(turn.tools) if step == 0 else turn.tools())}
        calls = await _stream_step(turn, tools)
        if assistant.error is None and not calls and not turn.produced:
            # Nothing to show and nothing to do: say so rather than finishing silently.
            assistant.error = MessageError(
                kind="unknown", provider=turn.model.provider,
                message="The model returned an empty reply. Send the message again, or pick another model.",
            )
        if assistant.error is not None or not calls:
            return
        # A checkpoint around tool calls that may change files (core/snapshot): what undo puts back.
        async with turn.checkpoint(turn.assistant, [call.name for _, call in calls]):
            await asyncio.gather(*(_run_tool(turn, tools, part, call) for part, call in calls))
        assistant.error = turn.repeats.check_step([part for part, _ in calls], turn.writer.part)
        if assistant.error is not None:
            return
        log.debug("step %d ran %d tool calls", step + 1, len(calls))
    assistant.error = MessageError(
        kind="unknown",
        message=f"Stopped after {turn.step_limit} steps (the step limit). Send a message to continue, or raise "
        "step_limit in agent-tui.json.",
    )


async def _stream_step(turn: Turn, tools: dict[str, Tool]) -> list[tuple[ToolPart, ToolCall]]:
    assistant, writer = turn.assistant, turn.writer
    writer.flush()
    history = turn.storage.history(assistant.session_id)  # kept parsed between steps; read only
    request = LLMRequest(
        model=turn.model.litellm_model,
        provider=turn.model.provider,
        messages=to_llm_messages(history, turn.system, vision=turn.model.info.vision),
        tools=[t.schema() for t in tools.values()],
        api_base=turn.model.api_base,
        api_key=turn.model.api_key,
        key_env=turn.model.key_env,
        temperature=(turn.temperature if turn.temperature is not None else 0) if turn.model.info.temperature else None,
        max_tokens=min(turn.model.info.output, 32_000),
        extra_headers=turn.model.headers,
    )
    writer.part(StepStartPart(session_id=assistant.session_id, message_id=assistant.id))
    # Call ids name saved outputs and permission requests: a provider that repeats one (or sends none, which
    # becomes call_0 at every step) must not make two calls share it.
    used_ids = {p.call_id for m in history for p in m.parts if isinstance(p, ToolPart)}
    announced_ids: dict[int, str] = {}  # as the provider sent them
    text: TextPart | None = None
    reasoning: ReasoningPart | None = None
    calls: list[tuple[ToolPart, ToolCall]] = []
    started: dict[int, ToolPart] = {}  # calls shown as pending while their arguments stream
    usage: Usage | None = None
    finish: str | None = None

    def close(part: TextPart | ReasoningPart | None) -> None:
        if part is not None and part.time_end is None:
            part.time_end = now_ms()
            writer.part(part)
            if part in turn.open_parts:
                turn.open_parts.remove(part)

    try:
        stream = stream_completion(request, base_delay=turn.retry_base_delay, idle_timeout=turn.idle_timeout)
        async for event in stream:
            if isinstance(event, Retrying):
                note_retry(assistant, writer, event)
                continue
            clear_retry(assistant, writer)
            if isinstance(event, TextDelta):
                close(reasoning)
                reasoning = None
                if text is None:
                    text = TextPart(session_id=assistant.session_id, message_id=assistant.id, time_start=now_ms())
                    turn.open_parts.append(text)
                turn.produced = turn.produced or bool(event.text.strip())
                writer.append(text, event.text)  # kept as pieces: `text.text` is whole once written
            elif isinstance(event, ReasoningDelta):
                if reasoning is None:
                    reasoning = ReasoningPart(
                        session_id=assistant.session_id, message_id=assistant.id, time_start=now_ms()
                    )
                    turn.open_parts.append(reasoning)
                writer.append(reasoning, event.text)
            elif isinstance(event, ToolCallStarted):
                close(text)
                text = None
                started[event.index] = _new_tool_part(turn, _unique_call_id(event.id, used_ids), event.name)
                announced_ids[event.index] = event.id
            elif isinstance(event, ToolCall):
                close(text)
                text = None
                part = started.pop(event.index, None)
                if part is None:
                    part = _new_tool_part(turn, _unique_call_id(event.id, used_ids), event.name)
                elif announced_ids.get(event.index) != event.id:  # the id came after the name
                    used_ids.discard(part.call_id)
                    part.call_id = _unique_call_id(event.id, used_ids)
                part.state.input = escape_surrogates(event.arguments or {})
                # The raw text is kept only when it did not parse: it is what the user needs to see then.
                part.state.raw_input = event.arguments_raw if event.error else None
                tool = tools.get(event.name)
                if tool is not None:
                    part.state.title = tool.title_for(part.state.input)
                writer.part(part)
                calls.append((part, event))
                turn.produced = True
            elif isinstance(event, Usage):
                usage = event
            elif isinstance(event, Finish):
                finish = event.reason
    except ProviderError as error:
        log.warning("provider error on %s: %s", turn.model.spec, error)
        assistant.error = provider_error_to_message(error)
        # Calls announced before the failure never ran; say so rather than leaving them pending.
        for part in [*(p for p, _ in calls), *started.values()]:
            _finish_tool(turn, part, error="The reply was cut off before this call could run.")
        calls = []
        started.clear()
    finally:
        close(reasoning)
        close(text)
        clear_retry(assistant, writer)
    for part in started.values():
        _finish_tool(turn, part, error="The model did not finish the arguments of this call.")
    if finish == "length":
        for _, call in calls:
            if call.error is not None:  # cut off, not malformed: say so, or the model repeats the same call
                call.error = ("the reply reached the output limit in the middle of them; send less in one call, "
                              "e.g. a big file as a short write followed by edits")
    _finish_step(turn, usage, finish)
    if finish == "length" and not calls and assistant.error is None:
        assistant.error = MessageError(
            kind="output_length",
            message="The reply reached the model's output limit and was cut off. Ask it to continue.",
            provider=turn.model.provider,
        )
    return calls


def _unique_call_id(call_id: str, used: set[str]) -> str:
    unique, suffix = call_id or "call", 1
    while unique in used:
        unique, suffix = f"{call_id or 'call'}_{suffix}", suffix + 1
    used.add(unique)
    return unique


def _new_tool_part(turn: Turn, call_id: str, name: str) -> ToolPart:
    assistant = turn.assistant
    part = ToolPart(session_id=assistant.session_id, message_id=assistant.id, call_id=call_id, tool=name)
    turn.open_parts.append(part)
    turn.writer.part(part)
    return part


def usage_tokens(usage: Usage | None) -> TokenUsage:
    if usage is None:
        return TokenUsage()
    return TokenUsage(
        input=usage.input_tokens,
        output=usage.output_tokens,
        reasoning=usage.reasoning_tokens,
        cache_read=usage.cache_read_tokens,
        cache_write=usage.cache_write_tokens,
    )


def _finish_step(turn: Turn, usage: Usage | None, finish: str | None) -> None:
    assistant = turn.assistant
    tokens = usage_tokens(usage)
    priced = price_step(tokens, turn.model.info, usage.cost if usage is not None else None)
    cost = priced.total
    assistant.tokens = assistant.tokens + tokens
    assistant.cost += cost
    if cost:
        turn.on_cost(cost)
    if usage is not None:
        assistant.context_tokens = tokens.total
    assistant.finish_reason = finish
    turn.writer.part(
        StepFinishPart(
            session_id=assistant.session_id, message_id=assistant.id, tokens=tokens, cost=cost, finish_reason=finish,
            cost_source=priced.source, cost_by_kind=priced.by_kind,
        )
    )
    turn.writer.message(assistant)


def _finish_tool(turn: Turn, part: ToolPart, *, error: str | None = None, output: str | None = None,
                 title: str | None = None, metadata: dict[str, Any] | None = None) -> None:
    """Record the call's end. Never raises for what the tool returned, and never leaves it "running"."""
    error, output, title, metadata = escape_surrogates([error, output, title, metadata])
    try:
        _set_tool_end(turn, part, error=error, output=output, title=title, metadata=metadata)
    except Exception as exc:  # a result that cannot be stored (or shown): store the failure instead
        log.exception("storing the result of %s failed", part.tool)
        part.state.metadata = {}
        part.state.output = None
        _set_tool_end(turn, part, error=f"The result of {part.tool} could not be stored: {type(exc).__name__}: "
                      f"{escape_surrogates(str(exc))[:500]}")


def _set_tool_end(turn: Turn, part: ToolPart, *, error: str | None = None, output: str | None = None,
                  title: str | None = None, metadata: dict[str, Any] | None = None) -> None:
    state = part.state
    state.time_end = now_ms()
    if state.time_start is None:
        state.time_start = state.time_end
    if error is not None:
        state.status = "error"
        state.error = error
    else:
        state.status = "completed"
        state.output = output
    if title:
        state.title = title
    if metadata:
        state.metadata.update(metadata)
    if part in turn.open_parts:
        turn.open_parts.remove(part)
    turn.writer.part(part)


async def _run_tool(turn: Turn, tools: dict[str, Tool], part: ToolPart, call: ToolCall) -> None:
    tool = tools.get(call.name)
    if call.error is not None:
        _finish_tool(turn, part, error=f"The arguments were not valid JSON ({call.error}). Call {call.name} again "
                     "with a JSON object matching its schema.")
        return
    if tool is None:
        available = ", ".join(sorted(tools)) or "none"
        _finish_tool(turn, part, error=f"Unknown tool '{call.name}'. Available tools: {available}.")
        return
    try:
        params = tool.Params.model_validate(call.arguments or {})
    except ValidationError as exc:
        _finish_tool(turn, part, error=format_validation(call.name, exc))
        return
    part.state.status = "running"
    part.state.time_start = now_ms()
    turn.writer.part(part)
    ctx = turn.make_context(part)
    try:
        result = await tool.execute(params, ctx)
    except ToolError as exc:
        _finish_tool(turn, part, error=str(exc))
        return
    except asyncio.CancelledError:
        _finish_tool(turn, part, error=ABORTED)
        raise
    except Exception as exc:  # a bug in a tool must not end the turn
        log.exception("tool %s crashed", call.name)
        _finish_tool(turn, part, error=f"The tool '{call.name}' failed unexpectedly: {type(exc).__name__}: {exc}")
        return
    output, extra = truncate_for_model(
        turn.scrub.text(result.output), session_id=part.session_id, call_id=part.call_id
    )
    metadata = turn.scrub.value({**result.metadata, **extra})
    if result.attachments:
        metadata["attachments"] = [a.model_dump() for a in result.attachments]
    _finish_tool(turn, part, output=output, title=result.title or None, metadata=metadata)


def close_open_parts(turn: Turn, reason: str = ABORTED) -> None:
    """After an abort: end streaming parts where they are, mark unfinished tool calls as interrupted."""
    for part in list(turn.open_parts):
        if isinstance(part, ToolPart):
            if part.state.status in ("pending", "running"):
                _finish_tool(turn, part, error=reason)
        elif part.time_end is None:
            part.time_end = now_ms()
            turn.writer.part(part)
    turn.open_parts.clear()
    turn.writer.flush()
