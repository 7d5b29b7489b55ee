"""Stream one model reply through litellm as our own pydantic events, with retries that we count.

    async for event in stream_completion(LLMRequest(model="openai/gpt-4o", provider="openai", messages=[...])):
        match event:
            case TextDelta(text=t): ...
            case ToolCall(): ...     # complete: id, name, arguments (dict) or error

Order of events in one successful attempt: any mix of TextDelta / ReasoningDelta / ToolCallStarted, each
ToolCall once its arguments are complete (when the next call starts or the stream ends), then Usage (when the
provider reports it, which OpenAI-style servers do with include_usage and Anthropic always does), then
Finish. `Retrying` may come before any of those, once per failed attempt.

Usage buckets are disjoint, so cost = sum(bucket * price): `input_tokens` are input tokens neither read from
nor written to the cache (litellm folds both cache kinds into prompt_tokens, for OpenAI and Anthropic alike,
so they are subtracted), `output_tokens` exclude `reasoning_tokens` (providers count reasoning inside
completion tokens; for Anthropic litellm estimates it from the thinking text). Total context used by a call is
the sum of all five.

Errors raise `ProviderError`. Before the first output event, rate limits (429), server errors (5xx) and
connection failures are retried with exponential backoff (or the server's Retry-After); once output has
started nothing is retried and the caller keeps what it received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agent_tui.core.llm.errors import ProviderError, is_temperature_rejection, to_provider_error
from agent_tui.core.llm.litellm_loader import is_loaded, load_litellm

log = logging.getLogger("agent_tui.llm")

MAX_RETRY_DELAY = 30.0


class LLMRequest(BaseModel):
    model: str  # litellm model string, e.g. "openai/gpt-4o" or "anthropic/claude-sonnet-4-5"
    provider: str  # our provider id, used in messages
    messages: list[dict[str, Any]]  # OpenAI-format chat messages
    tools: list[dict[str, Any]] = Field(default_factory=list)  # OpenAI function-tool schemas
    api_base: str | None = None
    api_key: str | None = Field(default=None, repr=False, exclude=True)  # never logged nor serialised
    key_env: str | None = None  # e.g. "OPENAI_API_KEY", named in error messages only
    temperature: float | None = 0
    max_tokens: int | None = None
    extra_headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = 600


class TextDelta(BaseModel):
    type: Literal["text"] = "text"
    text: str


class ReasoningDelta(BaseModel):
    """Reasoning text. For Anthropic thinking, the block's `signature` arrives once, with empty text, at the
    end of the block: keep it and send the block back as `thinking_blocks` on the assistant message."""

    type: Literal["reasoning"] = "reasoning"
    text: str
    signature: str | None = None


class ToolCallStarted(BaseModel):
    """The model began a tool call (its arguments are still streaming): lets a UI show a pending call early."""

    type: Literal["tool_call_started"] = "tool_call_started"
    index: int
    id: str
    name: str


class ToolCall(BaseModel):
    type: Literal["tool_call"] = "tool_call"
    index: int
    id: str
    name: str
    arguments_raw: str
    arguments: dict[str, Any] | None = None
    error: str | None = None  # set when arguments_raw is not valid JSON or not a JSON object


class Usage(BaseModel):
    type: Literal["usage"] = "usage"
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.reasoning_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


class Finish(BaseModel):
    type: Literal["finish"] = "finish"
    reason: str  # "stop", "tool_calls", "length", "content_filter", ...


class Retrying(BaseModel):
    type: Literal["retrying"] = "retrying"
    attempt: int  # the attempt that failed, from 1
    delay: float  # seconds until the next attempt
    error: str


StreamEvent = Annotated[
    TextDelta | ReasoningDelta | ToolCallStarted | ToolCall | Usage | Finish | Retrying,
    Field(discriminator="type"),
]

Sleep = Callable[[float], Awaitable[Any]]


async def stream_completion(
    req: LLMRequest,
    *,
    max_attempts: int = 6,
    base_delay: float = 1.0,
    sleep: Sleep = asyncio.sleep,
) -> AsyncIterator[StreamEvent]:
    """Stream one reply of `req.model`; see the module docstring for the events and the retry rules.

    Closing the generator (or cancelling the task consuming it) closes the HTTP stream.
    """
    # The import takes seconds: never on the event loop's thread, which would freeze the interface.
    litellm = load_litellm() if is_loaded() else await asyncio.to_thread(load_litellm)
    send_temperature = req.temperature is not None
    attempt = 0
    while True:
        attempt += 1
        started = False
        response: Any = None
        try:
            response = await litellm.acompletion(**_call_args(req, send_temperature))
            async for event in _events(response):
                started = True
                yield event
            return
        except Exception as exc:
            err = to_provider_error(exc, provider=req.provider, key_env=req.key_env, secrets=[req.api_key])
            if started:
                if err.kind in ("connection", "server", "unknown"):
                    err.message = f"The response from provider '{req.provider}' broke off: {err.detail}"
                raise err from exc
            if send_temperature and is_temperature_rejection(err):
                # Some models refuse any temperature: ask again without it, once, at no cost to the retry budget.
                log.info("%s rejected temperature; retrying without it", req.model)
                send_temperature = False
                attempt -= 1
                continue
            if not err.retryable or attempt >= max_attempts:
                raise err from exc
            delay = _delay(err, attempt, base_delay)
            log.warning(
                "%s: attempt %d/%d failed (%s); retrying in %.1fs", req.model, attempt, max_attempts, err, delay
            )
            if response is not None:  # release the failed stream before waiting
                await _close(response)
                response = None
            yield Retrying(attempt=attempt, delay=delay, error=err.message)
            await sleep(delay)
        finally:
            if response is not None:
                await _close(response)


def _call_args(req: LLMRequest, send_temperature: bool) -> dict[str, Any]:
    args: dict[str, Any] = {
        "model": req.model,
        "messages": req.messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        # litellm and the OpenAI SDK retry on their own unless told not to; the retry count must be ours.
        "num_retries": 0,
        "max_retries": 0,
        "timeout": req.timeout,
    }
    if req.tools:
        args["tools"] = req.tools
    if req.api_base:
        args["api_base"] = req.api_base
    if req.api_key:
        args["api_key"] = req.api_key
    if send_temperature:
        args["temperature"] = req.temperature
    if req.max_tokens is not None:
        args["max_tokens"] = req.max_tokens
    if req.extra_headers:
        args["extra_headers"] = dict(req.extra_headers)
    return args


def _delay(err: ProviderError, attempt: int, base_delay: float) -> float:
    if err.retry_after is not None:
        return min(err.retry_after, MAX_RETRY_DELAY)
    return min(base_delay * 2 ** (attempt - 1), MAX_RETRY_DELAY)


async def _close(response: Any) -> None:
    aclose = getattr(response, "aclose", None)
    if aclose is None:
        return
    # Shield: closing must complete even when we got here because the task was cancelled.
    with contextlib.suppress(Exception):
        await asyncio.shield(aclose())


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


async def _events(response: AsyncIterator[Any]) -> AsyncIterator[StreamEvent]:
    """Turn litellm's OpenAI-shaped chunks into events, assembling tool calls by index."""
    pending: dict[int, _ToolBuilder] = {}
    emitted: set[int] = set()
    finish_reason: str | None = None
    usage: Usage | None = None
    any_tool = False

    async for chunk in response:
        chunk_usage = getattr(chunk, "usage", None)
        if chunk_usage is not None:
            usage = _usage(chunk_usage)
        for choice in getattr(chunk, "choices", None) or []:
            if getattr(choice, "finish_reason", None):
                finish_reason = choice.finish_reason
            delta = getattr(choice, "delta", None)
            if delta is None:
                continue
            reasoning = getattr(delta, "reasoning_content", None)
            if reasoning:
                yield ReasoningDelta(text=reasoning)
            signature = _signature(delta)
            if signature:
                yield ReasoningDelta(text="", signature=signature)
            content = getattr(delta, "content", None)
            if content:
                yield TextDelta(text=content)
            for tc in getattr(delta, "tool_calls", None) or []:
                any_tool = True
                index = getattr(tc, "index", None)
                if index is None:
                    # Rare providers omit the index: a delta with an id starts the next call, one without continues.
                    last = max([*pending, *emitted], default=-1)
                    index = last + 1 if getattr(tc, "id", None) or last < 0 else last
                if index in emitted:
                    log.warning("tool call %d received more arguments after it was complete; ignored", index)
                    continue
                # A new, higher index means the calls before it are complete.
                for done in sorted(i for i in pending if i < index):
                    emitted.add(done)
                    yield pending.pop(done).build()
                builder = pending.setdefault(index, _ToolBuilder(index))
                if getattr(tc, "id", None):
                    builder.id = tc.id
                function = getattr(tc, "function", None)
                if function is not None:
                    if getattr(function, "name", None):
                        builder.name = function.name
                    if getattr(function, "arguments", None):
                        builder.parts.append(function.arguments)
                if not builder.announced and builder.name:
                    builder.announced = True
                    yield ToolCallStarted(index=index, id=builder.id or f"call_{index}", name=builder.name)

    for index in sorted(pending):
        yield pending.pop(index).build()
    if usage is not None:
        yield usage
    yield Finish(reason=finish_reason or ("tool_calls" if any_tool else "stop"))


def _signature(delta: Any) -> str | None:
    # Anthropic thinking blocks carry a signature that must be sent back with the block on the next turn.
    for block in getattr(delta, "thinking_blocks", None) or []:
        sig = block.get("signature") if isinstance(block, dict) else getattr(block, "signature", None)
        if sig:
            return str(sig)
    return None


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _usage(raw: Any) -> Usage:
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
    )


__all__ = [
    "Finish",
    "LLMRequest",
    "ProviderError",
    "ReasoningDelta",
    "Retrying",
    "StreamEvent",
    "TextDelta",
    "ToolCall",
    "ToolCallStarted",
    "Usage",
    "stream_completion",
]
