"""Playing one scripted reply on the wire: whole (one JSON body) or streamed (SSE), in the OpenAI or the
Anthropic format, with the script's delays, errors, drops and malformed events."""

from __future__ import annotations

from agent_tui.testing import anthropic_wire, openai_wire
from agent_tui.testing.http_exchange import Exchange, send_error
from agent_tui.testing.script import (
    DelayStep,
    DropStep,
    EndStep,
    ErrorStep,
    MalformedStep,
    ReasoningStep,
    Reply,
    TextStep,
    ToolCallStep,
    UsageSpec,
    estimate_tokens,
    split_text,
)


async def serve_whole(
    ex: Exchange, reply: Reply, reply_no: int, finish: str, usage: UsageSpec, call_ids: list[str]
) -> None:
    record = ex.record
    model = record.model or "fake-model"
    wire = openai_wire if record.protocol == "openai" else anthropic_wire
    for step in reply.steps:
        if isinstance(step, DelayStep):
            await ex.sleep(step.delay)
        elif isinstance(step, ErrorStep):
            await send_error(ex, wire.error_body(step.error), step.error)
            return
        elif isinstance(step, DropStep):
            ex.cut()
            return
        elif isinstance(step, MalformedStep):
            await ex.send_raw(200, b'{"id": "broken", "choices": [', "application/json")
            return
    if record.protocol == "openai":
        payload = openai_wire.completion(reply, model, reply_no, finish, usage, call_ids)
    else:
        payload = anthropic_wire.message(reply, model, reply_no, finish, usage, call_ids)
    await ex.send_json(200, payload)


async def serve_stream(
    ex: Exchange, reply: Reply, reply_no: int, finish: str, usage: UsageSpec, call_ids: list[str]
) -> None:
    record = ex.record
    model = record.model or "fake-model"
    wire: openai_wire.OpenAIStream | anthropic_wire.AnthropicStream
    if record.protocol == "openai":
        wire = openai_wire.OpenAIStream(model, record.include_usage and reply.send_usage, reply_no)
    else:
        wire = anthropic_wire.AnthropicStream(model, reply_no, usage)
    pace = reply.chunk_delay

    async def begin() -> None:
        # The status line goes out with the first real content, so a leading error can still be an HTTP error.
        if not ex.started:
            await ex.start_stream()
            await ex.chunk(wire.start())

    calls = iter(call_ids)
    tool_index = 0
    for step in reply.steps:
        if isinstance(step, DelayStep):
            await ex.sleep(step.delay)
        elif isinstance(step, ErrorStep):
            if not ex.started:
                body = (openai_wire if record.protocol == "openai" else anthropic_wire).error_body(step.error)
                await send_error(ex, body, step.error)
                return
            await ex.chunk(wire.error_event(step.error))
            ex.cut()  # no terminating chunk: the stream is broken, not finished
            return
        elif isinstance(step, DropStep):
            ex.cut()
            return
        elif isinstance(step, EndStep):
            await begin()
            await ex.chunk([], last=True)
            return
        elif isinstance(step, MalformedStep):
            await begin()
            await ex.chunk(wire.malformed())
        elif isinstance(step, TextStep | ReasoningStep):
            await begin()
            is_text = isinstance(step, TextStep)
            value = step.text if isinstance(step, TextStep) else step.reasoning
            for i, piece in enumerate(split_text(value, step.chunks)):
                if i and pace:
                    await ex.sleep(pace)
                await ex.chunk(wire.text(piece) if is_text else wire.reasoning(piece))
        elif isinstance(step, ToolCallStep):
            await begin()
            spec = step.tool_call
            await ex.chunk(wire.tool_call_start(tool_index, next(calls), spec.name))
            for piece in split_text(spec.arguments_json(), spec.chunks):
                if pace:
                    await ex.sleep(pace)
                await ex.chunk(wire.tool_call_args(tool_index, piece))
            tool_index += 1
        if pace and isinstance(step, TextStep | ReasoningStep | ToolCallStep):
            await ex.sleep(pace)
    await begin()
    await ex.chunk(wire.finish(finish, usage), last=True)


def default_usage(body: bytes, reply: Reply) -> UsageSpec:
    # Plausible numbers from sizes, so code that sums usage sees something non-zero.
    reasoning_chars = reply.reasoning_chars()
    return UsageSpec(
        input=estimate_tokens(len(body)),
        output=estimate_tokens(reply.output_chars()),
        reasoning=estimate_tokens(reasoning_chars) if reasoning_chars else 0,
    )
