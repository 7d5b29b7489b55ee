"""`task`: a sub-agent's steps (the tools its child session ran) and, once done, the start of its answer."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from agent_tui.core.models import ToolPart
from agent_tui.tui.panels.base import ToolPanel, capped_lines, more_line, one_line, plain_output, text_input
from agent_tui.tui.transcript.render import RenderContext

STEP_LINES = 10
ANSWER_LINES = 6
_MARKS = {"pending": "○", "running": "◐", "completed": "✓", "error": "✗"}


def steps_of(part: ToolPart) -> list[dict[str, Any]]:
    """The child's steps from the metadata the task tool publishes: `steps` (or `summary`), each a dict with
    `tool`, `title` and `status` (a plain string is taken as a title)."""
    steps = part.state.metadata.get("steps", part.state.metadata.get("summary"))
    if not isinstance(steps, list):
        return []
    out: list[dict[str, Any]] = []
    for step in steps:
        if isinstance(step, str):
            out.append({"title": step, "status": "completed"})
        elif isinstance(step, dict):
            state = step.get("state") if isinstance(step.get("state"), dict) else {}
            out.append({
                "tool": step.get("tool", ""),
                "title": step.get("title") or state.get("title") or "",
                "status": step.get("status") or state.get("status") or "completed",
            })
    return out


class TaskPanel(ToolPanel):
    tools = ("task",)
    expanded_while_running = True

    def title(self, part: ToolPart) -> str:
        title = one_line(text_input(part, "description", "prompt"), 80) or part.state.title or ""
        agent = part.state.input.get("agent") or part.state.metadata.get("agent")
        # The default sub-agent goes unnamed; a chosen one is worth knowing.
        return f"{title} ({agent})" if isinstance(agent, str) and agent and agent != "general" else title

    def summary(self, part: ToolPart) -> str:
        steps = steps_of(part)
        return f"{len(steps)} step{'s' if len(steps) != 1 else ''}" if steps else ""

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        styles = ctx.styles
        rows: list[RenderableType] = []
        steps = steps_of(part)
        hidden = max(0, len(steps) - STEP_LINES)
        if hidden:
            rows.append(more_line(hidden, styles, before=True))
        for step in steps[-STEP_LINES:]:
            status = str(step["status"])
            style = {"error": styles["tool-error"], "running": styles["tool-running"]}.get(status, styles["dim"])
            line = Text(f"{_MARKS.get(status, '•')} ", style=style, no_wrap=True, overflow="ellipsis")
            if step.get("tool"):
                line.append(f"{step['tool']} ", styles["tool-name"])
            line.append(str(step["title"]), styles["tool-title"])
            rows.append(line)
        answer = plain_output(part) if part.state.status == "completed" else ""
        if answer.strip():
            lines, more = capped_lines(answer.strip(), ANSWER_LINES)
            rows.append(Text("\n".join(lines)))
            if more:
                rows.append(more_line(more, styles))
        return Group(*rows) if rows else None
