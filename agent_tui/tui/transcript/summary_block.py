"""A compaction summary in the log: a divider that says what happened, and the summary folded under it.

A summary is an assistant message with `summary=True` (from `/compact` or automatic compaction). Shown as an
ordinary reply it read as if the model had answered something nobody asked; here it is a divider,
"Conversation summarised: 45.2k → 1.3k tokens", with the summary itself as a labelled block that Enter or a
click opens.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip

from agent_tui.core.models import AssistantMessage, TextPart
from agent_tui.tui import format as fmt
from agent_tui.tui.transcript.blocks import ARROW_CLOSED, ARROW_OPEN, GUTTER, Block, estimate_text_height
from agent_tui.tui.transcript.render import RenderContext, markdown_strips, to_strips, with_prefix


def summary_title(message: AssistantMessage, before_tokens: int, *, streaming: bool) -> str:
    if streaming:
        return "Summarising the conversation…"
    after = message.context_tokens or message.tokens.output
    if before_tokens and after:
        return f"Conversation summarised: {fmt.tokens(before_tokens)} → {fmt.tokens(after)} tokens"
    if after:
        return f"Conversation summarised: {fmt.tokens(after)} tokens"
    return "Conversation summarised"


class SummaryBlock(Block):
    """The whole summary message as one block (its text parts joined)."""

    collapsible = True

    def __init__(self, message: AssistantMessage) -> None:
        super().__init__(f"summary:{message.id}", message.id)
        self.message = message
        self.texts: list[TextPart] = []
        self.before_tokens = 0  # context of the last request before the summary, for "N → M"

    @property
    def streaming(self) -> bool:
        return self.message.time.completed is None and self.message.error is None

    def text(self) -> str:
        return "\n\n".join(part.text for part in self.texts if part.text.strip()).strip()

    def expanded_by_default(self) -> bool:
        return False

    def estimate(self, width: int) -> int:
        if not self.expanded:
            return 1
        return 2 + estimate_text_height(self.text() or " ", width - len(GUTTER))

    def render(self, ctx: RenderContext) -> list[Strip]:
        styles = ctx.styles
        title = summary_title(self.message, self.before_tokens, streaming=self.streaming)
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(f"{ARROW_OPEN if self.expanded else ARROW_CLOSED} ", styles["dim"])
        header.append(f"── {title} ", styles["notice"])
        rule = max(0, ctx.width - header.cell_len)
        header.append("─" * rule, styles["gutter"])
        lines = to_strips(ctx, header)
        if self.expanded:
            inner = ctx.narrower(len(GUTTER))
            rows = to_strips(inner, Text("Summary (sent to the model instead of the messages above)",
                                         style=styles["dim"]))
            rows += markdown_strips(inner, self.text()) or to_strips(inner, Text("(empty)", style=styles["dim"]))
            lines += with_prefix(ctx, rows, GUTTER, styles["gutter"])
        return lines
