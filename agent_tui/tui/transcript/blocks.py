"""The blocks of the transcript: each renders itself into lines, cached until it changes or the width does."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.strip import Strip

from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    Message,
    PastedText,
    ReasoningPart,
    TextPart,
    ToolPart,
)
from agent_tui.tui import format as fmt
from agent_tui.tui.panels import ToolPanel, panel_for
from agent_tui.tui.transcript.errors import error_action, error_title
from agent_tui.tui.transcript.markdown_stream import StreamingMarkdown
from agent_tui.tui.transcript.pasted import paste_lines, style_chips
from agent_tui.tui.transcript.prepared import prepared_label
from agent_tui.tui.transcript.render import RenderContext, markdown_strips, to_strips, with_prefix

GUTTER = "  │ "
ARROW_OPEN, ARROW_CLOSED = "▾", "▸"
REASONING_LIVE_CHARS = 1500  # while reasoning streams, only its end is shown (and rendered)


def duration(ms: int) -> str:
    if ms < 1000:
        return f"{max(0, ms)}ms"
    seconds = ms / 1000
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m {rest:02d}s"


def estimate_text_height(text: str, width: int) -> int:
    """Lines `text` takes when wrapped at `width`: a cheap guess used until a block is actually rendered."""
    width = max(1, width)
    return sum(max(1, -(-len(line) // width)) for line in text.strip("\n").splitlines())


class Block:
    """One unit of the transcript. `render` is only called when the cache is empty or the width changed."""

    collapsible: ClassVar[bool] = False

    def __init__(self, key: str, message_id: str) -> None:
        self.key = key
        self.message_id = message_id
        self._lines: list[Strip] | None = None
        self._previous: list[Strip] | None = None  # the lines before the last invalidate, to repaint only changes
        self._width = 0
        self._expanded: bool | None = None  # None: the block's own default

    @property
    def expanded(self) -> bool:
        return self._expanded if self._expanded is not None else self.expanded_by_default()

    def expanded_by_default(self) -> bool:
        return True

    def set_expanded(self, expanded: bool | None) -> None:
        if expanded != self._expanded:
            self._expanded = expanded
            self.invalidate()

    def invalidate(self) -> None:
        if self._lines is not None:
            self._previous = self._lines
        self._lines = None

    def changed_rows(self) -> list[int] | None:
        """Rows whose line differs from before the last invalidate (None: unknown, repaint everything)."""
        previous, self._previous = self._previous, None
        if previous is None or self._lines is None:
            return None
        # Most lines of a streaming reply are the very same objects as before: compare those by identity only.
        rows = [row for row, (old, new) in enumerate(zip(previous, self._lines, strict=False))
                if old is not new and old != new]
        return rows + list(range(len(previous), len(self._lines)))

    def is_rendered(self, width: int) -> bool:
        return self._lines is not None and self._width == width

    def was_rendered(self, width: int) -> bool:
        """True when the block changed since it was rendered at `width` (its height is known, not estimated)."""
        return self._lines is None and self._previous is not None and self._width == width

    def lines(self, ctx: RenderContext) -> list[Strip]:
        if self._lines is None or self._width != ctx.width:
            self._lines = self.render(ctx)
            self._width = ctx.width
        return self._lines

    def cached(self) -> list[Strip] | None:
        return self._lines

    def height(self, width: int) -> int:
        if self._width == width:
            if self._lines is not None:
                return len(self._lines)
            if self._previous is not None:
                return len(self._previous)  # changed but not re-rendered yet: the old height is the best guess
        return self.estimate(width)

    def estimate(self, width: int) -> int:
        return 1

    def render(self, ctx: RenderContext) -> list[Strip]:
        raise NotImplementedError


class UserBlock(Block):
    """A user message: its text and attached files behind a coloured bar."""

    def __init__(self, message_id: str) -> None:
        super().__init__(f"user:{message_id}", message_id)
        self.texts: list[TextPart] = []
        self.files: list[FilePart] = []

    def text(self) -> str:
        return "\n".join(part.text for part in self.texts
                         if part.text and not part.synthetic and part.paste is None).strip()

    def pastes(self) -> list[PastedText]:
        """Long pastes sent as attachments: shown as a line each, never as their lines (the log holds no text of
        theirs, see conversation.py)."""
        return [part.paste for part in self.texts if part.paste is not None]

    def estimate(self, width: int) -> int:
        if prepared_label(self.text()):
            return 1
        return estimate_text_height(self.text() or " ", width - 2) + len(self.files) + len(self.pastes())

    def render(self, ctx: RenderContext) -> list[Strip]:
        styles = ctx.styles
        label = prepared_label(self.text())
        if label is not None:
            line = Text(label, style=styles["dim"], no_wrap=True, overflow="ellipsis")
            return with_prefix(ctx, to_strips(ctx, line, ctx.width - 2), "▌ ", styles["user-bar"])
        body = Text(self.text() or " ", style=styles["user"])
        pastes = self.pastes()
        style_chips(body, pastes, styles["chip"])
        for file in self.files:
            body.append("\n")
            body.append(f"@{file.source_path or file.filename or file.url}", styles["dim"])
        lines = to_strips(ctx, body, ctx.width - 2) + paste_lines(ctx, pastes, ctx.width - 2)
        return with_prefix(ctx, lines, "▌ ", styles["user-bar"])


class TextBlock(Block):
    """Assistant text as Markdown; while it streams only the unfinished last Markdown block is re-rendered, and
    when it finishes only what was not rendered yet (unless the whole text renders differently, see
    markdown_stream.py)."""

    def __init__(self, part: TextPart, *, streaming: bool) -> None:
        super().__init__(part.id, part.message_id)
        self.part = part
        self._stream: StreamingMarkdown | None = StreamingMarkdown() if streaming else None
        self._finished_stream: StreamingMarkdown | None = None  # used once, by the first render after finishing
        self.whole_renders = 0  # renders of the whole text (for tests and benchmarks)

    @property
    def streaming(self) -> bool:
        return self._stream is not None

    def finish(self) -> None:
        if self._stream is not None:
            self._finished_stream, self._stream = self._stream, None
            self.invalidate()

    def estimate(self, width: int) -> int:
        return estimate_text_height(self.part.text, width) if self.part.text.strip() else 0

    def render(self, ctx: RenderContext) -> list[Strip]:
        if self._stream is not None:
            return self._stream.lines(self.part.text, ctx)
        finished, self._finished_stream = self._finished_stream, None
        if finished is not None and (lines := finished.finished_lines(self.part.text, ctx)) is not None:
            return lines
        self.whole_renders += 1
        return markdown_strips(ctx, self.part.text)


class ReasoningBlock(Block):
    """The model's reasoning, dimmed: shown while it streams, folded to one line once done."""

    collapsible = True

    def __init__(self, part: ReasoningPart, *, streaming: bool) -> None:
        super().__init__(part.id, part.message_id)
        self.part = part
        self.streaming = streaming

    def expanded_by_default(self) -> bool:
        return self.streaming

    def finish(self) -> None:
        if self.streaming:
            self.streaming = False
            self.invalidate()

    def estimate(self, width: int) -> int:
        if not self.part.text.strip():
            return 0
        return 1 + (estimate_text_height(self.part.text, width - len(GUTTER)) if self.expanded else 0)

    def render(self, ctx: RenderContext) -> list[Strip]:
        text = self.part.text.strip()
        if not text:
            return []
        styles = ctx.styles
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(f"{ARROW_OPEN if self.expanded else ARROW_CLOSED} ", styles["dim"])
        header.append("Thinking" if self.streaming else "Thought", styles["reasoning"])
        if self.part.time_start and self.part.time_end:
            header.append(f" for {duration(self.part.time_end - self.part.time_start)}", styles["dim"])
        elif not self.expanded:
            header.append(f" · {len(text.split())} words", styles["dim"])
        lines = to_strips(ctx, header)
        if self.expanded:
            shown = text[-REASONING_LIVE_CHARS:] if self.streaming else text
            body = to_strips(ctx, Text(shown, style=styles["reasoning"]), ctx.width - len(GUTTER))
            lines += with_prefix(ctx, body, GUTTER, styles["gutter"])
        return lines


_STATUS_ICON = {"pending": "○", "running": "◐", "completed": "✓", "error": "✗"}


class ToolBlock(Block):
    """One tool call: a header (tool, title, state) and, when expanded, the body its panel draws."""

    collapsible = True

    def __init__(self, part: ToolPart) -> None:
        super().__init__(part.id, part.message_id)
        self.part = part
        self.panel: ToolPanel = panel_for(part.tool)
        self.interrupted = False  # the message ended while this call was still pending or running

    @property
    def running(self) -> bool:
        return self.part.state.status in ("pending", "running") and not self.interrupted

    def expanded_by_default(self) -> bool:
        if self.running and self.panel.expanded_while_running:
            return True
        return self.panel.expanded_by_default

    def estimate(self, width: int) -> int:
        if not self.expanded:
            return 1 + (1 if self.part.state.error else 0)
        return 6

    def state_text(self, ctx: RenderContext) -> tuple[str, str]:
        """The state shown at the end of the header, and the style name for it."""
        state = self.part.state
        if self.interrupted:
            return "interrupted", "tool-error"
        if state.status == "error":
            return "error", "tool-error"
        if state.status == "completed":
            if state.time_start and state.time_end:
                return duration(state.time_end - state.time_start), "dim"
            return "done", "dim"
        if state.metadata.get("waiting_for_approval"):  # the engine's ApprovalClock sets it while the user decides
            return "waiting for approval", "tool-pending"
        if state.status == "running":
            if state.time_start:
                seconds = max(0, ctx.now_ms - state.time_start) // 1000
                return f"running {seconds}s", "tool-running"
            return "running", "tool-running"
        return "pending", "tool-pending"

    def header(self, ctx: RenderContext) -> Text:
        styles = ctx.styles
        state = self.part.state
        status = "error" if self.interrupted else state.status
        icon_style = {"completed": "tool-done", "error": "tool-error", "running": "tool-running"}.get(
            status, "tool-pending"
        )
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(f"{ARROW_OPEN if self.expanded else ARROW_CLOSED} ", styles["dim"])
        header.append(f"{_STATUS_ICON[status]} ", styles[icon_style])
        header.append(self.part.tool, styles["tool-name"])
        title = self.panel.title(self.part)
        label, style = self.state_text(ctx)
        if title:
            # A long title gives way to the state ("waiting for approval" must stay visible).
            room = ctx.width - header.cell_len - len(label) - 5
            if len(title) > room:
                title = title[: max(room - 1, 8)] + "…"
            header.append(f"  {title}", styles["tool-title"])
        summary = self.panel.summary(self.part) if state.status == "completed" else ""
        if summary:
            header.append(f"  {summary}", styles["dim"])
        header.append(" · ", styles["dim"])
        header.append(label, styles[style])
        return header

    def render(self, ctx: RenderContext) -> list[Strip]:
        styles = ctx.styles
        lines = to_strips(ctx, self.header(ctx))
        inner = ctx.narrower(len(GUTTER))
        rows: list[Strip] = []
        if self.expanded:
            body: RenderableType | None = self.panel.body(self.part, inner)
            if body is not None:
                rows += to_strips(inner, body)
        error = self.part.state.error
        if error and error.strip():
            shown = error.strip() if self.expanded else error.strip().splitlines()[0]
            rows += to_strips(inner, Text(shown, style=styles["tool-error"]))
        return lines + with_prefix(ctx, rows, GUTTER, styles["gutter"])


class FooterBlock(Block):
    """Under a finished reply: model, tokens, cost, duration."""

    def __init__(self, message: AssistantMessage) -> None:
        super().__init__(f"footer:{message.id}", message.id)
        self.message = message

    def render(self, ctx: RenderContext) -> list[Strip]:
        message = self.message
        pieces = [message.model]
        tokens = message.tokens
        if tokens.input or tokens.output:
            pieces.append(f"↑{fmt.tokens(tokens.input + tokens.cache_read)} ↓{fmt.tokens(tokens.output)}")
        if message.cost:
            pieces.append(fmt.cost(message.cost))
        if message.time.completed:
            pieces.append(duration(message.time.completed - message.time.created))
        return to_strips(ctx, Text(" · ".join(pieces), style=ctx.styles["footer"], no_wrap=True, overflow="ellipsis"))


class ErrorBlock(Block):
    """The reply's error and what the user can do about it."""

    def __init__(self, message: Message) -> None:
        super().__init__(f"error:{message.id}", message.id)
        self.message = message

    def estimate(self, width: int) -> int:
        return 3

    def render(self, ctx: RenderContext) -> list[Strip]:
        error = self.message.error
        if error is None:
            return []
        styles = ctx.styles
        aborted = error.kind == "aborted"
        style = styles["notice" if aborted else "error"]
        title = Text()
        title.append(("■ " if aborted else "✗ ") + error_title(error), style)
        if error.provider and not aborted:
            title.append(f"  ({error.provider})", styles["dim"])
        action = to_strips(ctx, Text(error_action(error), style=styles["error-action"]), ctx.width - 2)
        return to_strips(ctx, title) + with_prefix(ctx, action, "  ", styles["dim"])
