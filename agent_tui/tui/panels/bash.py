"""`bash`: the command and its output, growing live while it runs (the tail is shown)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from agent_tui.core.models import ToolPart
from agent_tui.tui.panels.base import ToolPanel, capped_lines, more_line, one_line, plain_output, text_input
from agent_tui.tui.transcript.render import RenderContext

TAIL_LINES = 12  # the last lines of the output, like a terminal shows them (test summaries come last)


def exit_code(part: ToolPart) -> int | None:
    for key in ("exit_code", "exit", "returncode"):
        value = part.state.metadata.get(key)
        if isinstance(value, int):
            return value
    return None


class BashPanel(ToolPanel):
    tools = ("bash",)
    expanded_by_default = True

    def title(self, part: ToolPart) -> str:
        return one_line(text_input(part, "command", "cmd"), 90) or part.state.title or ""

    def summary(self, part: ToolPart) -> str:
        code = exit_code(part)
        return f"exit {code}" if code else ""

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        styles = ctx.styles
        command = text_input(part, "command", "cmd")
        output = plain_output(part)
        running = part.state.status in ("pending", "running")
        rows: list[RenderableType] = []
        if command:
            rows.append(Text.assemble(("$ ", styles["dim"]), command))
        if output.strip():
            lines, hidden = capped_lines(output, tail=True, limit=TAIL_LINES)
            if hidden:
                rows.append(more_line(hidden, styles, before=True))
            rows.append(Text.from_ansi("\n".join(lines)))
        elif not running and part.state.status == "completed":
            rows.append(Text("(no output)", style=styles["dim"]))
        return Group(*rows) if rows else None
