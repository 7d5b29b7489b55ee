"""litellm's OpenAI-shaped stream chunks → our stream events, assembling tool calls by index.

The same code reads the chunks of litellm's wrapper (`CustomStreamWrapper`) and of the per-provider iterator
underneath it (`completion_stream`, see `fast_path`). The iterator also yields `GenericStreamingChunk` dicts
(Anthropic sends them for SSE lines that carry no data), so every field is read with `getattr`/`get`.

Per chunk this costs a few attribute reads and one small event: nothing here grows with the reply except the
list of output pieces kept for counting tokens when a provider reports no usage (`ChunkEvents.output_text`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from agent_tui.core.llm.events import (
    Finish,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    Usage,
)
from agent_tui.core.llm.fields import field
from agent_tui.core.llm.sse_check import LineWatch

log = logging.getLogger("agent_tui.llm")


class _ToolBuilder:
    def __init__(self, index: int) -> None:
        self.index = index
        self.id = ""
        self.name = ""
        self.parts: list[str] = []
        self.announced = False

    def build(self) -> ToolCall:
        raw = "".join(self.parts)
        arguments, error = _parse_arguments(raw)
        return ToolCall(
            index=self.index,
            id=self.id or f"call_{self.index}",
            name=self.name,
            arguments_raw=raw,
            arguments=arguments,
            error=error,
        )


def _parse_arguments(raw: str) -> tuple[dict[str, Any] | None, str | None]:
    if not raw.strip():
        return {}, None  # some providers send nothing at all for a call without parameters
    try:
        value = json.loads(raw)
    except ValueError as exc:
        return None, f"tool arguments are not valid JSON: {exc}"
    if not isinstance(value, dict):
        return None, f"tool arguments must be a JSON object, got {type(value).__name__}"
    return value, None


class ChunkEvents:
    """Turns one attempt's chunks into events. After the stream ends, `usage` (None when the provider reported
    none), `finish` and `output_text()` (with `keep_output`: what to count instead) are set."""

    def __init__(self, *, keep_output: bool = False, reported_cost: bool = True) -> None:
        # litellm's wrapper stamps its own price-map estimate on `usage.cost`; only the parser underneath passes
        # on what the provider itself reported (OpenRouter's billed cost). Wrapper chunks: `reported_cost=False`.
        self._reported_cost = reported_cost
        self.usage: Usage | None = None
        self.finish = Finish(reason="stop")
        self.finished = False  # the provider said the reply was complete (a finish reason, [DONE])
        self._keep_output = keep_output
        self._output: list[str] = []
        self._reasoning: list[str] = []

    def output_text(self) -> str:
        return "".join(self._output)

    def reasoning_text(self) -> str:
        return "".join(self._reasoning)

    async def events(self, chunks: AsyncIterator[Any], watch: LineWatch | None = None) -> AsyncIterator[StreamEvent]:
        """Text, reasoning and tool-call events; at the end `self.usage` and `self.finish` are set (the caller
        yields them, after counting tokens itself when the provider reported no usage). `watch`: the lines under
        a parser that yields an empty chunk for a line it could not parse (see `sse_check.check_lines`)."""
        pending: dict[int, _ToolBuilder] = {}
        emitted: set[int] = set()
        finish_reason: str | None = None
        usage: Usage | None = None
        any_tool = False
        keep = self._keep_output
        output = self._output

        async for chunk in chunks:
            if isinstance(chunk, dict):  # a GenericStreamingChunk from a provider iterator
                piece = chunk.get("text")
                if piece:
                    if keep:
                        output.append(piece)
                    yield TextDelta(text=piece)
                elif watch is not None and not chunk.get("is_finished"):
                    watch.verify()  # the line it could not use fails the attempt when it is malformed
                if chunk.get("is_finished") and chunk.get("finish_reason"):
                    finish_reason = finish_reason or chunk["finish_reason"]
                continue
            chunk_usage = field(chunk, "usage")
            # All zeros is no report: litellm's wrapper fills in zeros when its token counter is off (see
            # litellm_loader); the caller then counts, so a reply is never stored as costing nothing.
            if chunk_usage is not None and (getattr(chunk_usage, "prompt_tokens", 0)
                                            or getattr(chunk_usage, "completion_tokens", 0)):
                usage = usage_from(chunk_usage, reported_cost=self._reported_cost)
            for choice in field(chunk, "choices") or ():
                reason = field(choice, "finish_reason")
                if reason:
                    finish_reason = reason
                delta = field(choice, "delta")
                if delta is None:
                    continue
                reasoning = field(delta, "reasoning_content")
                if reasoning:
                    if keep:
                        self._reasoning.append(reasoning)
                    yield ReasoningDelta(text=reasoning)
                signature = _signature(delta)
                if signature:
                    yield ReasoningDelta(text="", signature=signature)
                content = field(delta, "content")
                if content:
                    if keep:
                        output.append(content)
                    yield TextDelta(text=content)
                for tc in field(delta, "tool_calls") or ():
                    any_tool = True
                    index = field(tc, "index")
                    call_id = field(tc, "id")
                    if index is None:
                        # Rare providers omit the index: a delta with an id starts the next call, one without
                        # continues the last.
                        last = max([*pending, *emitted], default=-1)
                        index = last + 1 if call_id or last < 0 else last
                    if index in emitted:
                        log.warning("tool call %d received more arguments after it was complete; ignored", index)
                        continue
                    # A new, higher index means the calls before it are complete.
                    for done in sorted(i for i in pending if i < index):
                        emitted.add(done)
                        yield pending.pop(done).build()
                    builder = pending.setdefault(index, _ToolBuilder(index))
                    if call_id:
                        builder.id = call_id
                    function = field(tc, "function")
                    if function is not None:
                        name = field(function, "name")
                        if name:
                            builder.name = name
                            if keep:
                                output.append(name)
                        arguments = field(function, "arguments")
                        if arguments:
                            builder.parts.append(arguments)
                            if keep:
                                output.append(arguments)
                    if not builder.announced and builder.name:
                        builder.announced = True
                        yield ToolCallStarted(index=index, id=builder.id or f"call_{index}", name=builder.name)

        for index in sorted(pending):
            yield pending.pop(index).build()
        self.usage = usage
        self.finished = finish_reason is not None
        self.finish = Finish(reason=finish_reason_for(finish_reason, any_tool))


def finish_reason_for(reason: str | None, any_tool: bool) -> str:
    """Some providers say `stop` after tool calls; the loop must know that the reply asked for tools."""
    if any_tool and reason in (None, "", "stop", "end_turn"):
        return "tool_calls"
    return reason or "stop"


def _signature(delta: Any) -> str | None:
    # Anthropic thinking blocks carry a signature that must be sent back with the block on the next turn.
    for block in field(delta, "thinking_blocks") or ():
        sig = block.get("signature") if isinstance(block, dict) else getattr(block, "signature", None)
        if sig:
            return str(sig)
    return None


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def usage_from(raw: Any, *, reported_cost: bool = True) -> Usage:
    """litellm's usage object (prompt/completion totals with details) → our disjoint buckets."""
    prompt = _int(getattr(raw, "prompt_tokens", 0))
    completion = _int(getattr(raw, "completion_tokens", 0))
    prompt_details = getattr(raw, "prompt_tokens_details", None)
    completion_details = getattr(raw, "completion_tokens_details", None)
    cache_read = _int(getattr(prompt_details, "cached_tokens", 0)) or _int(getattr(raw, "cache_read_input_tokens", 0))
    cache_write = _int(getattr(raw, "cache_creation_input_tokens", 0)) or _int(
        getattr(prompt_details, "cache_creation_tokens", 0)
    )
    reasoning = _int(getattr(completion_details, "reasoning_tokens", 0))
    return Usage(
        input_tokens=max(0, prompt - cache_read - cache_write),
        output_tokens=max(0, completion - reasoning),
        reasoning_tokens=min(reasoning, completion) if completion else reasoning,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        cost=_reported_cost(getattr(raw, "cost", None)) if reported_cost else None,
    )


def _reported_cost(value: Any) -> Decimal | None:
    """The provider's own figure for the call (OpenRouter sends `usage.cost` in US dollars)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        cost = Decimal(str(value))
    except ArithmeticError:
        return None
    return cost if cost.is_finite() and cost >= 0 else None
