"""The events of one streamed model reply (see `stream.stream_completion` for their order)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field


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
    # True when the provider reported no usage and these were counted with litellm's token counter.
    estimated: bool = False
    cost: Decimal | None = None  # US dollars, when the provider reports what it billed (OpenRouter's usage.cost)

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
    max_attempts: int = 6
    delay: float  # seconds until the next attempt
    error: str


StreamEvent = Annotated[
    TextDelta | ReasoningDelta | ToolCallStarted | ToolCall | Usage | Finish | Retrying,
    Field(discriminator="type"),
]
