from __future__ import annotations

import pytest

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.builtin import builtin_tools
from agent_tui.core.tools.task import TaskParams, TaskTool
from agent_tui.core.tools.todo import TodoReadParams, TodoReadTool, TodoWriteParams, TodoWriteTool


async def test_todowrite_then_read(ctx, recorder) -> None:
    result = await TodoWriteTool().execute(
        TodoWriteParams(todos=[
            {"content": "Write tests", "status": "completed"},
            {"content": "Fix bug", "status": "in_progress", "priority": "high"},
            {"content": "Release"},
        ]),
        ctx,
    )
    assert result.output == "[x] Write tests\n[~] Fix bug\n[ ] Release"
    assert [t["status"] for t in result.metadata["todos"]] == ["completed", "in_progress", "pending"]
    assert all(t["id"] for t in result.metadata["todos"])
    assert [t.content for t in recorder.todos["ses_test"]] == ["Write tests", "Fix bug", "Release"]
    read = await TodoReadTool().execute(TodoReadParams(), ctx)
    assert read.output == result.output and read.title == "2 open tasks"


async def test_todo_without_host(make_ctx) -> None:
    with pytest.raises(ToolError, match="not available"):
        await TodoReadTool().execute(TodoReadParams(), make_ctx(host=None))


async def test_task_runs_subagent(ctx, recorder) -> None:
    result = await TaskTool().execute(TaskParams(description="Find callers", prompt="find foo"), ctx)
    assert result.output == "done: find foo"
    assert result.metadata["session_id"] == "ses_child"
    assert recorder.subagent_calls == [("Find callers", "find foo")]


async def test_task_refused_for_subagents_and_empty_prompt(make_ctx) -> None:
    with pytest.raises(ToolError, match="cannot start another"):
        await TaskTool().execute(TaskParams(description="x", prompt="y"), make_ctx(agent_depth=1))
    with pytest.raises(ToolError, match="empty"):
        await TaskTool().execute(TaskParams(description="x", prompt="  "), make_ctx())


def test_every_builtin_has_a_description_and_schema() -> None:
    tools = builtin_tools()
    names = [t.name for t in tools]
    assert len(names) == len(set(names))
    assert set(names) >= {"bash", "read", "write", "edit", "multiedit", "patch", "glob", "grep", "ls",
                          "todowrite", "todoread", "webfetch", "task"}
    for tool in tools:
        assert len(tool.description) > 200, tool.name  # loaded from prompts/tools/NAME.md
        assert tool.schema()["function"]["parameters"]["type"] == "object"
