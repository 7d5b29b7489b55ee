"""`todowrite` / `todoread`: the session's task list as a checklist."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text

from agent_tui.core.models import ToolPart
from agent_tui.tui.panels.base import ToolPanel
from agent_tui.tui.transcript.render import RenderContext

_MARKS = {"pending": "☐", "in_progress": "◐", "completed": "☑", "cancelled": "☒"}


def todos_of(part: ToolPart) -> list[dict[str, Any]]:
    todos = part.state.metadata.get("todos")
    if not isinstance(todos, list):
        todos = part.state.input.get("todos")
    if not isinstance(todos, list):
        return []
    return [todo for todo in todos if isinstance(todo, dict)]


class TodoPanel(ToolPanel):
    tools = ("todowrite", "todoread")
    expanded_by_default = True

    def title(self, part: ToolPart) -> str:
        todos = todos_of(part)
        if not todos:
            return part.state.title or ""
        done = sum(1 for todo in todos if todo.get("status") == "completed")
        return f"{done}/{len(todos)} done"

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        todos = todos_of(part)
        if not todos:
            return None
        styles = ctx.styles
        text = Text()
        for index, todo in enumerate(todos):
            status = str(todo.get("status", "pending"))
            mark = _MARKS.get(status, "☐")
            style = {
                "completed": styles["tool-done"],
                "in_progress": styles["tool-running"],
                "cancelled": styles["dim"] + Style(strike=True),
            }.get(status, styles["tool-title"])
            text.append(f"{mark} ", style)
            text.append(str(todo.get("content", "")), style)
            if index < len(todos) - 1:
                text.append("\n")
        return text
