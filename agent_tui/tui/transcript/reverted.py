"""How undone turns look: the user's message dimmed with a label saying how to bring it back, and each reply
folded to one dimmed line (what it did stays in storage and comes back with /redo)."""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip

from agent_tui.core.models import Message, Part, SnapshotPart, ToolPart
from agent_tui.tui.transcript.blocks import Block, UserBlock
from agent_tui.tui.transcript.render import RenderContext, to_strips, with_prefix

LABELS = {
    "undone": "↶ undone · /redo brings it back",
    "discarded": "↶ undone · a later message replaced it",
}


class RevertedUserBlock(UserBlock):
    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.key = f"user-reverted:{message_id}"
        self.reverted = "undone"

    def estimate(self, width: int) -> int:
        return super().estimate(width) + 1

    def render(self, ctx: RenderContext) -> list[Strip]:
        styles = ctx.styles
        body = Text(self.text() or " ", style=styles["dim"])
        for file in self.files:
            body.append("\n")
            body.append(f"@{file.source_path or file.filename or file.url}", styles["dim"])
        body.append("\n")
        body.append(LABELS.get(self.reverted, LABELS["undone"]), styles["notice"])
        return with_prefix(ctx, to_strips(ctx, body, ctx.width - 2), "▌ ", styles["gutter"])


class RevertedReplyBlock(Block):
    """An undone reply as one line: how many tool calls it made and which files it had changed."""

    def __init__(self, message_id: str) -> None:
        super().__init__(f"reply-reverted:{message_id}", message_id)
        self.parts: list[Part] = []
        self.info: Message | None = None

    def summary(self) -> str:
        calls = sum(isinstance(p, ToolPart) for p in self.parts)
        files = sorted({f.path for p in self.parts if isinstance(p, SnapshotPart) for f in p.files})
        pieces = ["↶ reply undone"]
        if calls:
            pieces.append(f"{calls} tool call{'s' if calls != 1 else ''}")
        if files:
            shown = ", ".join(files[:3]) + (f" +{len(files) - 3}" if len(files) > 3 else "")
            pieces.append(f"files put back: {shown}")
        return " · ".join(pieces)

    def render(self, ctx: RenderContext) -> list[Strip]:
        return to_strips(ctx, Text(self.summary(), style=ctx.styles["dim"], no_wrap=True, overflow="ellipsis"))
