"""`todowrite` / `todoread`: the session's task list (kept with the session by the service)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent_tui.core import ids
from agent_tui.core.models import Todo
from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolHost, ToolResult

_BOXES = {"completed": "[x]", "in_progress": "[~]", "pending": "[ ]", "cancelled": "[-]"}


class TodoItem(BaseModel):
    content: str = Field(min_length=1, description="The task, short and specific.")
    status: Literal["pending", "in_progress", "completed", "cancelled"] = "pending"
    priority: Literal["high", "medium", "low"] = "medium"
    id: str | None = Field(default=None, description="Keep the id of an existing task when updating it.")


class TodoWriteParams(BaseModel):
    todos: list[TodoItem] = Field(description="The complete updated list (it replaces the previous one).")


class TodoReadParams(BaseModel):
    pass


def render_checklist(todos: list[Todo]) -> str:
    if not todos:
        return "(The task list is empty.)"
    return "\n".join(f"{_BOXES.get(t.status, '[ ]')} {t.content}" for t in todos)


def _host(ctx: ToolContext) -> ToolHost:
    if ctx.host is None:
        raise ToolError("The task list is not available in this context.")
    return ctx.host


def _result(todos: list[Todo]) -> ToolResult:
    open_count = sum(1 for t in todos if t.status in ("pending", "in_progress"))
    return ToolResult(
        title=f"{open_count} open task{'s' * (open_count != 1)}",
        output=render_checklist(todos),
        metadata={"todos": [t.model_dump() for t in todos]},
    )


class TodoWriteTool(Tool):
    name = "todowrite"
    Params = TodoWriteParams

    async def execute(self, params: TodoWriteParams, ctx: ToolContext) -> ToolResult:
        host = _host(ctx)
        todos = [
            Todo(id=item.id or ids.ascending("tool"), content=item.content.strip(), status=item.status,
                 priority=item.priority)
            for item in params.todos
        ]
        host.set_todos(ctx.session_id, todos)
        return _result(todos)


class TodoReadTool(Tool):
    name = "todoread"
    Params = TodoReadParams

    async def execute(self, params: TodoReadParams, ctx: ToolContext) -> ToolResult:
        return _result(list(_host(ctx).get_todos(ctx.session_id)))
