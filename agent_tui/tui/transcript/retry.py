"""The line under a reply whose attempt failed and will be tried again (the engine clears it when the next
attempt answers, so it is only on screen while it matters)."""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip

from agent_tui.core.models import AssistantMessage
from agent_tui.tui.transcript.blocks import Block
from agent_tui.tui.transcript.render import RenderContext, to_strips
from agent_tui.tui.widgets.model_wait import retry_text


class RetryBlock(Block):
    def __init__(self, message: AssistantMessage) -> None:
        super().__init__(f"retry:{message.id}", message.id)
        self.message = message

    def estimate(self, width: int) -> int:
        return 1

    def render(self, ctx: RenderContext) -> list[Strip]:
        note = self.message.retry
        if note is None:
            return []
        line = Text("↻ " + retry_text(note, note.delay, reason_chars=400), style=ctx.styles["notice"])
        return to_strips(ctx, line)
