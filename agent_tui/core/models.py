"""Records: sessions, messages and their parts. Stored as JSON, published on the bus, rendered by the TUI."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from agent_tui.core import ids
from agent_tui.core.deferred_models import DeferredModel


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Record(DeferredModel):  # built on first use: see core/deferred_models.py
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


# --- sessions -----------------------------------------------------------------------------------------------


class SessionTime(Record):
    created: int = Field(default_factory=now_ms)
    updated: int = Field(default_factory=now_ms)


class Todo(Record):
    id: str
    content: str
    status: Literal["pending", "in_progress", "completed", "cancelled"] = "pending"
    priority: Literal["high", "medium", "low"] = "medium"


class FileChange(Record):
    """One file a session changed, with its line counts from `base` (before the first change) to `head`."""

    path: str  # relative to the project root, '/'-separated
    status: Literal["added", "modified", "deleted"] = "modified"
    additions: int = 0
    deletions: int = 0
    binary: bool = False
    base: str  # snapshot tree ids (core/snapshot)
    head: str


class Session(Record):
    id: str = Field(default_factory=lambda: ids.descending("ses"))
    project_id: str
    directory: str
    parent_id: str | None = None  # set for sub-agent sessions (the `task` tool); hidden from the session list
    forked_from: str | None = None  # set for forks, which are listed like any session
    title: str = "New session"
    title_generated: bool = False
    time: SessionTime = Field(default_factory=SessionTime)
    todos: list[Todo] = Field(default_factory=list)
    # Totals kept on the session so the sidebar can show them without reading every message.
    cost: Decimal = Decimal(0)
    model: str | None = None
    # The files this session's live (not undone) turns changed, kept up to date as steps finish (core/snapshot).
    changes: list[FileChange] = Field(default_factory=list)
    agent: str | None = None  # the agent its turns run with (None: the default, `build`)


# --- parts --------------------------------------------------------------------------------------------------


class PartBase(Record):
    id: str = Field(default_factory=lambda: ids.ascending("prt"))
    session_id: str
    message_id: str


class PastedText(Record):
    """What a long paste sent as an attachment looks like in its chip: `[pasted text #number · N lines]`.

    The part's `text` holds the paste itself, which the model reads; the transcript shows only this."""

    number: int
    lines: int
    size: int  # bytes of UTF-8
    preview: str = ""  # its first non-blank line, cut short


class TextPart(PartBase):
    type: Literal["text"] = "text"
    text: str = ""
    synthetic: bool = False  # added by the engine (e.g. "continue"), not typed by the user
    paste: PastedText | None = None  # a long paste the prompt turned into an attachment (core/session/pastes.py)
    time_start: int | None = None
    time_end: int | None = None


class ReasoningPart(PartBase):
    type: Literal["reasoning"] = "reasoning"
    text: str = ""
    time_start: int | None = None
    time_end: int | None = None


ToolStatus = Literal["pending", "running", "completed", "error"]


class ToolState(Record):
    status: ToolStatus = "pending"
    input: dict[str, Any] = Field(default_factory=dict)
    raw_input: str | None = None  # the arguments as the model sent them, kept when they did not parse
    output: str | None = None
    error: str | None = None
    title: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    time_start: int | None = None
    time_end: int | None = None


class ToolPart(PartBase):
    type: Literal["tool"] = "tool"
    call_id: str
    tool: str
    state: ToolState = Field(default_factory=ToolState)


class TokenUsage(Record):
    input: int = 0
    output: int = 0
    reasoning: int = 0
    cache_read: int = 0
    cache_write: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output + self.reasoning + self.cache_read + self.cache_write

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            input=self.input + other.input,
            output=self.output + other.output,
            reasoning=self.reasoning + other.reasoning,
            cache_read=self.cache_read + other.cache_read,
            cache_write=self.cache_write + other.cache_write,
        )


class StepStartPart(PartBase):
    type: Literal["step-start"] = "step-start"


class StepFinishPart(PartBase):
    type: Literal["step-finish"] = "step-finish"
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    cost: Decimal = Decimal(0)
    finish_reason: str | None = None
    # Where `cost` came from ("config", "provider", "price map", "unpriced") and, when from prices, its split.
    cost_source: str | None = None
    cost_by_kind: dict[str, Decimal] = Field(default_factory=dict)


class FilePart(PartBase):
    type: Literal["file"] = "file"
    mime: str
    filename: str | None = None
    url: str  # file:// path or data: URL
    source_path: str | None = None


class SnapshotFile(Record):
    path: str
    additions: int = 0
    deletions: int = 0
    binary: bool = False
    status: Literal["added", "modified", "deleted"] = "modified"


class SnapshotPart(PartBase):
    """A checkpoint around the tool calls of one step that may change files: the snapshot tree before them,
    the one after, and the files that differ (core/snapshot). `after` is None while the tools run."""

    type: Literal["snapshot"] = "snapshot"
    before: str
    after: str | None = None
    files: list[SnapshotFile] = Field(default_factory=list)


Part = Annotated[
    TextPart | ReasoningPart | ToolPart | StepStartPart | StepFinishPart | FilePart | SnapshotPart,
    Field(discriminator="type"),
]


# --- messages -----------------------------------------------------------------------------------------------


class MessageTime(Record):
    created: int = Field(default_factory=now_ms)
    completed: int | None = None


class MessageError(Record):
    kind: Literal[
        "aborted", "auth", "rate_limit", "server", "connection", "bad_request", "context_overflow",
        "output_length", "stalled", "malformed", "unknown",
    ]
    message: str
    provider: str | None = None
    retryable: bool = False


class MessageBase(Record):
    id: str = Field(default_factory=lambda: ids.ascending("msg"))
    session_id: str
    time: MessageTime = Field(default_factory=MessageTime)
    error: MessageError | None = None
    # Set by undo/revert (core/snapshot/revert.py): kept and shown, but no longer sent to the model.
    # "undone" can be redone; "discarded" once a new message was sent after it.
    reverted: Literal["undone", "discarded"] | None = None


class UserMessage(MessageBase):
    role: Literal["user"] = "user"


class RetryNote(Record):
    """A failed attempt of the current step that will be tried again (shown until the next attempt answers)."""

    attempt: int  # the attempt that failed, from 1
    max_attempts: int
    delay: float  # seconds until the next attempt
    reason: str


class AssistantMessage(MessageBase):
    role: Literal["assistant"] = "assistant"
    provider: str
    model: str
    tokens: TokenUsage = Field(default_factory=TokenUsage)  # summed over the turn's steps
    context_tokens: int = 0  # size of the last step's request + reply: how full the context window is
    cost: Decimal = Decimal(0)
    summary: bool = False
    finish_reason: str | None = None
    parent_id: str | None = None  # the user message this replies to
    # "host:pid" of the process running this turn, so a turn left unfinished by a crash can be told apart from
    # one another instance is still running.
    owner: str | None = None
    retry: RetryNote | None = None  # set while a failed attempt waits to be retried


Message = Annotated[UserMessage | AssistantMessage, Field(discriminator="role")]


class MessageWithParts(Record):
    info: Message
    parts: list[Part] = Field(default_factory=list)

    def text(self) -> str:
        """The visible text of the message: text parts joined, without what the engine added (synthetic parts:
        a custom command's expansion, a `!command`'s context, which only the model sees) and without long
        pastes (their chip, which the typed text holds, stands for them)."""
        return "\n".join(p.text for p in self.parts
                         if isinstance(p, TextPart) and p.text and not p.synthetic and p.paste is None).strip()
