"""The script that the fake LLM server plays: pydantic models and small constructors.

A script is a list of replies; each request the server receives consumes the next reply. A reply is a list of
steps. In JSON a step is an object with exactly one of these keys (plus its options):

    {"text": "Hello", "chunks": 3}          text, split into 3 deltas (default: split by ~token)
    {"reasoning": "Let me think"}           reasoning / thinking text, split the same way
    {"tool_call": {"id": "call_1", "name": "read", "arguments": {"path": "a.py"}, "chunks": 3}}
                                            arguments may be a raw string (malformed JSON for tests)
    {"usage": {"input": 100, "output": 20, "reasoning": 0, "cache_read": 0, "cache_write": 0}}
    {"delay": 0.05}                         seconds to wait before the next step
    {"error": {"status": 429, "body": {...}, "retry_after": 1}}
                                            first step: an HTTP error; later: an error event, then a broken stream
    {"drop": true}                          close the connection abruptly
    {"end": true}                           end the response cleanly, before the reply says it is finished
    {"malformed": true}                     send a garbage SSE event
    {"finish": "length"}                    override the finish reason (default: tool_calls or stop)

A reply in JSON is either that list of steps or `{"steps": [...], "chunk_delay": 0.01}` (`chunk_delay`:
seconds between streamed chunks, to imitate a real model's pace; `"send_usage": false`: an OpenAI-style stream
reports no usage even when asked to, as some compatible servers do). A script file is either a list of replies or
`{"replies": [...]}`.

Usage semantics (the same disjoint buckets `agent_tui.core.llm.stream.Usage` reports): `input` is input
tokens that were neither read from nor written to the cache, `output` excludes `reasoning`. The wire formats
fold them back the way each provider reports them (OpenAI counts cached and reasoning tokens inside
prompt/completion tokens; Anthropic reports cache reads and writes apart from `input_tokens`).

In Python::

    Script.of(
        Reply.of(reasoning("plan"), text("Hi there", chunks=2), usage(10, 5)),
        Reply.of(tool_call("read", {"path": "a.py"}, id="call_1"), tool_call("ls", {}, id="call_2")),
        Reply.of(error(429, retry_after=1)),
    )
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    # extra="forbid" makes every step shape unambiguous inside the union below.
    model_config = ConfigDict(extra="forbid")


class TextStep(_Strict):
    text: str
    chunks: int | None = Field(default=None, ge=1)


class ReasoningStep(_Strict):
    reasoning: str
    chunks: int | None = Field(default=None, ge=1)


class ToolCallSpec(_Strict):
    name: str
    arguments: dict[str, Any] | str = Field(default_factory=dict)
    id: str | None = None
    chunks: int = Field(default=3, ge=1)

    def arguments_json(self) -> str:
        """The arguments as sent on the wire: raw strings are sent verbatim."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


class ToolCallStep(_Strict):
    tool_call: ToolCallSpec


class UsageSpec(_Strict):
    input: int = 0
    output: int = 0
    reasoning: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cost: float | None = None  # sent as usage.cost (OpenRouter reports what it billed this way)


class UsageStep(_Strict):
    usage: UsageSpec


class DelayStep(_Strict):
    delay: float = Field(ge=0)


class ErrorSpec(_Strict):
    status: int = 500
    body: dict[str, Any] | None = None
    retry_after: float | None = None
    message: str | None = None


class ErrorStep(_Strict):
    error: ErrorSpec


class DropStep(_Strict):
    drop: Literal[True] = True


class EndStep(_Strict):
    """End the HTTP response properly but early: no finish reason, no [DONE], no message_stop."""

    end: Literal[True] = True


class MalformedStep(_Strict):
    malformed: Literal[True] = True


class FinishStep(_Strict):
    finish: str


Step = (
    TextStep | ReasoningStep | ToolCallStep | UsageStep | DelayStep | ErrorStep | DropStep | EndStep | MalformedStep
    | FinishStep
)


class Reply(BaseModel):
    steps: list[Step] = Field(default_factory=list)
    chunk_delay: float = Field(default=0.0, ge=0)
    send_usage: bool = True  # False: no usage chunk on an OpenAI-style stream, even with include_usage

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        # A bare list of steps is the short JSON form.
        if isinstance(data, list):
            return {"steps": data}
        return data

    @classmethod
    def of(cls, *steps: Step, chunk_delay: float = 0.0, send_usage: bool = True) -> Reply:
        return cls(steps=list(steps), chunk_delay=chunk_delay, send_usage=send_usage)

    # Views used by both wire formats.
    def tool_calls(self) -> list[ToolCallSpec]:
        return [s.tool_call for s in self.steps if isinstance(s, ToolCallStep)]

    def scripted_usage(self) -> UsageSpec | None:
        found = [s.usage for s in self.steps if isinstance(s, UsageStep)]
        return found[-1] if found else None

    def scripted_finish(self) -> str | None:
        found = [s.finish for s in self.steps if isinstance(s, FinishStep)]
        return found[-1] if found else None

    def first_error(self) -> ErrorSpec | None:
        for s in self.steps:
            if isinstance(s, ErrorStep):
                return s.error
        return None

    def output_chars(self) -> int:
        n = 0
        for s in self.steps:
            if isinstance(s, TextStep):
                n += len(s.text)
            elif isinstance(s, ToolCallStep):
                n += len(s.tool_call.name) + len(s.tool_call.arguments_json())
        return n

    def reasoning_chars(self) -> int:
        return sum(len(s.reasoning) for s in self.steps if isinstance(s, ReasoningStep))


class Script(BaseModel):
    replies: list[Reply] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"replies": data}
        return data

    @classmethod
    def of(cls, *replies: Reply | list[Step]) -> Script:
        return cls(replies=[r if isinstance(r, Reply) else Reply(steps=r) for r in replies])

    @classmethod
    def load(cls, path: str | Path) -> Script:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


# --- constructors, so tests read like the script they describe -------------------------------------------


def text(value: str, chunks: int | None = None) -> TextStep:
    return TextStep(text=value, chunks=chunks)


def reasoning(value: str, chunks: int | None = None) -> ReasoningStep:
    return ReasoningStep(reasoning=value, chunks=chunks)


def tool_call(
    name: str, arguments: dict[str, Any] | str | None = None, *, id: str | None = None, chunks: int = 3
) -> ToolCallStep:
    return ToolCallStep(
        tool_call=ToolCallSpec(name=name, arguments=arguments if arguments is not None else {}, id=id, chunks=chunks)
    )


def usage(input: int, output: int, reasoning: int = 0, cache_read: int = 0, cache_write: int = 0,
          cost: float | None = None) -> UsageStep:
    return UsageStep(
        usage=UsageSpec(input=input, output=output, reasoning=reasoning, cache_read=cache_read,
                        cache_write=cache_write, cost=cost)
    )


def delay(seconds: float) -> DelayStep:
    return DelayStep(delay=seconds)


def error(
    status: int = 500,
    body: dict[str, Any] | None = None,
    *,
    retry_after: float | None = None,
    message: str | None = None,
) -> ErrorStep:
    return ErrorStep(error=ErrorSpec(status=status, body=body, retry_after=retry_after, message=message))


def drop() -> DropStep:
    return DropStep()


def end_early() -> EndStep:
    return EndStep()


def malformed() -> MalformedStep:
    return MalformedStep()


def finish(reason: str) -> FinishStep:
    return FinishStep(finish=reason)


# --- chunking --------------------------------------------------------------------------------------------

# A word with its trailing whitespace approximates one token well enough for a fake.
_TOKEN_RE = re.compile(r"\s*\S+\s*|\s+")


def split_text(value: str, chunks: int | None) -> list[str]:
    """Split `value` into `chunks` near-equal pieces, or into ~tokens when `chunks` is None."""
    if not value:
        return []
    if chunks is None:
        return _TOKEN_RE.findall(value) or [value]
    chunks = max(1, min(chunks, len(value)))
    size, extra = divmod(len(value), chunks)
    pieces: list[str] = []
    start = 0
    for i in range(chunks):
        end = start + size + (1 if i < extra else 0)
        pieces.append(value[start:end])
        start = end
    return pieces


def estimate_tokens(chars: int) -> int:
    """Roughly four characters a token, never zero."""
    return max(1, (chars + 3) // 4)
