"""One renderer per tool, looked up by name; MCP and unknown tools get the generic panel."""

from __future__ import annotations

from agent_tui.tui.panels.base import ToolPanel
from agent_tui.tui.panels.bash import BashPanel
from agent_tui.tui.panels.diff import DiffPanel
from agent_tui.tui.panels.generic import GenericPanel
from agent_tui.tui.panels.listing import ListingPanel
from agent_tui.tui.panels.read import ReadPanel
from agent_tui.tui.panels.task import TaskPanel
from agent_tui.tui.panels.todo import TodoPanel

_GENERIC = GenericPanel()
_REGISTRY: dict[str, ToolPanel] = {}


def register(panel: ToolPanel) -> None:
    for name in panel.tools:
        _REGISTRY[name] = panel


for _panel in (BashPanel(), DiffPanel(), ReadPanel(), ListingPanel(), TodoPanel(), TaskPanel()):
    register(_panel)


def panel_for(tool_name: str) -> ToolPanel:
    return _REGISTRY.get(tool_name, _GENERIC)


__all__ = ["GenericPanel", "ToolPanel", "panel_for", "register"]
