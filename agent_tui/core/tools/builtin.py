"""Every built-in tool, in the order they are offered to the model."""

from __future__ import annotations

from agent_tui.core.tools.base import Tool
from agent_tui.core.tools.bash import BashTool
from agent_tui.core.tools.edit import EditTool
from agent_tui.core.tools.glob import GlobTool
from agent_tui.core.tools.grep import GrepTool
from agent_tui.core.tools.ls import LsTool
from agent_tui.core.tools.multiedit import MultiEditTool
from agent_tui.core.tools.patch import PatchTool
from agent_tui.core.tools.read import ReadTool
from agent_tui.core.tools.task import TaskTool
from agent_tui.core.tools.todo import TodoReadTool, TodoWriteTool
from agent_tui.core.tools.webfetch import WebFetchTool
from agent_tui.core.tools.write import WriteTool

# Tools that change files; the service may use this for the "files changed" list or a read-only mode.
EDIT_TOOLS = frozenset({"write", "edit", "multiedit", "patch"})


def builtin_tools(*, webfetch_allow_private: bool = False) -> list[Tool]:
    return [
        BashTool(),
        ReadTool(),
        GlobTool(),
        GrepTool(),
        LsTool(),
        EditTool(),
        MultiEditTool(),
        WriteTool(),
        PatchTool(),
        TodoWriteTool(),
        TodoReadTool(),
        WebFetchTool(allow_private=webfetch_allow_private),
        TaskTool(),
    ]
