"""The built-in tools as a registry that creates them on first use.

Importing the tool modules pulls in httpx, BeautifulSoup, markdownify and tree-sitter (about 0.2 s of CPU), none of
which the first frame needs; the first run of a turn (or anything else that asks for a tool) builds them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from agent_tui.core.tools.base import Tool, ToolRegistry


class LazyToolRegistry(ToolRegistry):
    """A `ToolRegistry` whose tools come from `build`, called once, the first time any tool is looked at."""

    def __init__(self, build: Callable[[], list[Tool]]) -> None:  # no super().__init__(): nothing to hold yet
        self._build: Callable[[], list[Tool]] | None = build
        self._built: dict[str, Tool] = {}
        self._building = threading.Lock()  # a turn builds them in a worker thread; others wait for that build

    @property
    def _tools(self) -> dict[str, Tool]:  # type: ignore[override]
        if self._build is not None:
            with self._building:
                if self._build is not None:
                    built = {tool.name: tool for tool in self._build()}
                    self._built.update(built)
                    self._build = None
        return self._built

    @property
    def built(self) -> bool:
        return self._build is None


def link_subagents(tools: ToolRegistry, subagents: Callable[[], list]) -> None:  # type: ignore[type-arg]
    """Give the `task` tool its list of sub-agents."""
    task = tools.get("task")
    if task is not None and hasattr(task, "list_subagents"):
        task.list_subagents = subagents  # type: ignore[attr-defined]


def builtin_registry(*, webfetch_allow_private: bool, subagents: Callable[[], list]) -> LazyToolRegistry:  # type: ignore[type-arg]
    def build() -> list[Tool]:
        from agent_tui.core.tools.builtin import builtin_tools

        tools = builtin_tools(webfetch_allow_private=webfetch_allow_private)
        link_subagents(ToolRegistry(tools), subagents)
        return tools

    return LazyToolRegistry(build)
