"""Stream one model reply through litellm as our own pydantic events, with retries that we count.

    async for event in stream_completion(LLMRequest(model="openai/gpt-4o", provider="openai", messages=[...])):
        match event:
            case TextDelta(text=t): ...
            case ToolCall(): ...     # complete: id, name, arguments (dict) or error

Order of events in one successful attempt: any mix of TextDelta / ReasoningDelta / ToolCallStarted, each
ToolCall once its arguments are complete (when the next call starts or the stream ends), then Usage (when the
provider reports it, which OpenAI-style servers do with include_usage and Anthropic always does; when it does
not, counted with litellm's token counter and marked `estimated`), then Finish. `Retrying` may come before any
of those, once per failed attempt.

Every call is `litellm.acompletion(stream=True)`; the chunks are read from litellm's per-provider parser under
its wrapper when that parser is one we tested (`fast_path.py`), else from the wrapper.

Usage buckets are disjoint, so cost = sum(bucket * price): `input_tokens` are input tokens neither read from
nor written to the cache (litellm folds both cache kinds into prompt_tokens, for OpenAI and Anthropic alike,
so they are subtracted), `output_tokens` exclude `reasoning_tokens` (providers count reasoning inside
completion tokens; for Anthropic litellm estimates it from the thinking text). Total context used by a call is
the sum of all five.

Errors raise `ProviderError`. Before the first output event, rate limits (429), server errors (5xx),
connection failures and stalls are retried with exponential backoff (or the server's Retry-After); once output
has started nothing is retried and the caller keeps what it received. A stream that sends nothing for
`idle_timeout` seconds fails as stalled; one that sends garbage fails as malformed (not retried).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent_tui.core.llm.chunks import ChunkEvents
from agent_tui.core.llm.errors import ProviderError, is_temperature_rejection, to_provider_error
from agent_tui.core.llm.events import (
    Finish,
    ReasoningDelta,
    Retrying,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    Usage,
)
from agent_tui.core.llm.fast_path import (
    empty_chunk_for_bad_lines,
    fast_chunks,
    map_stream_error,
    openai_key_missing,
)
from agent_tui.core.llm.idle import idle_guard
from agent_tui.core.llm.litellm_loader import is_loaded, load_litellm
from agent_tui.core.llm.sse_check import MalformedStreamError, check_lines
from agent_tui.core.llm.token_count import count_usage

log = logging.getLogger("agent_tui.llm")

MAX_RETRY_DELAY = 30.0
DEFAULT_IDLE_TIMEOUT = 60.0

Sleep = Callable[[float], Awaitable[Any]]
Path = Literal["auto", "wrapper"]


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


async def stream_completion(
    req: LLMRequest,
    *,
    max_attempts: int = 6,
    base_delay: float = 1.0,
    sleep: Sleep = asyncio.sleep,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    path: Path = "auto",
) -> AsyncIterator[StreamEvent]:
    """Stream one reply of `req.model`; see the module docstring for the events and the retry rules.

    `path="wrapper"` always reads litellm's wrapper (the parity tests compare both). Closing the generator (or
    cancelling the task consuming it) closes the HTTP stream.
    """
    # The import takes seconds: never on the event loop's thread, which would freeze the interface.
    litellm = load_litellm() if is_loaded() else await asyncio.to_thread(load_litellm)
    if openai_key_missing(req.model, req.api_key):
        raise ProviderError("auth", req.provider, f"No API key for provider '{req.provider}': set "
                            f"{req.key_env or 'its API key'}", retryable=False)
    send_temperature = req.temperature is not None
    attempt = 0
    while True:
        attempt += 1
        started = False
        response: Any = None
        try:
            async with _idle_limit(idle_timeout, req.provider):  # a server that never answers is a stall too
                response = await litellm.acompletion(**_call_args(req, send_temperature))
            source = fast_chunks(response) if path == "auto" else None
            watch = check_lines(getattr(response, "completion_stream", None),
                                lazy=source is not None and empty_chunk_for_bad_lines(response))
            reader = ChunkEvents(keep_output=True, reported_cost=source is not None)
            chunks = source if source is not None else response
            if idle_timeout:
                chunks = idle_guard(chunks, idle_timeout, req.provider)
            try:
                async for event in reader.events(chunks, watch):
                    started = True
                    yield event
            except (ProviderError, MalformedStreamError, asyncio.CancelledError):
                raise
            except Exception as exc:
                if source is None:
                    raise
                raise map_stream_error(exc, response) from exc
            if source is not None and not reader.finished:
                # What litellm's wrapper raises for a stream that ends cleanly but early (a proxy or server that
                # gave up): not a finished reply.
                raise ProviderError(
                    "connection", req.provider,
                    f"The response from provider '{req.provider}' ended before the reply was complete",
                    detail="the stream ended before a finish reason",
                )
            usage = reader.usage
            if usage is None:
                # The provider sent none (or the wrapper could not build it): count, never report zero.
                usage = await asyncio.to_thread(
                    count_usage, litellm, req, reader.output_text(), reader.reasoning_text()
                )
            if usage is not None:
                yield usage
            yield reader.finish
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
            yield Retrying(attempt=attempt, max_attempts=max_attempts, delay=delay, error=err.message)
            await sleep(delay)
        finally:
            if response is not None:
                await _close(response)


@contextlib.asynccontextmanager
async def _idle_limit(idle: float | None, provider: str) -> AsyncIterator[None]:
    if not idle:
        yield
        return
    try:
        async with asyncio.timeout(idle):
            yield
    except TimeoutError:
        raise ProviderError.stalled(provider, idle) from None


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
