"""The MCP servers of the config: state, number of tools, and the error of a server that failed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agent_tui.core.events import McpStatusChanged
from agent_tui.tui.dialogs.base import Dialog, dialog_css

STATE_STYLE = {"ready": "$success", "failed": "$error", "starting": "$warning"}


class McpDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_mcp.tcss")

    def __init__(self, servers: list[McpStatusChanged], *, configured: list[str]) -> None:
        super().__init__()
        self.servers = servers
        self.configured = configured

    def _rows(self) -> Content:
        known = {s.server: s for s in self.servers}
        names = list(dict.fromkeys([*self.configured, *known]))
        if not names:
            return Content(
                "No MCP server is configured. Add one to agent-tui.json, e.g.\n"
                '  "mcp": {"files": {"type": "local", "command": ["npx", "-y", '
                '"@modelcontextprotocol/server-filesystem", "."]}}'
            )
        width = max(len(n) for n in names) + 2
        rows: list[Content] = []
        for name in names:
            status = known.get(name)
            state = status.status if status else "starting"
            line = Content.styled(f"  {name:<{width}}", "bold") + Content.styled(f"{state:<10}",
                                                                                 STATE_STYLE.get(state, ""))
            if status and status.status == "ready":
                line += Content(f"{status.tools} tools")
            if status and status.error:
                line += Content("\n    ") + Content.styled(status.error, "$error")
            rows.append(line)
        return Content("\n").join(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("MCP servers", classes="dialog-title")
            with VerticalScroll(id="mcp-body"):
                yield Static(self._rows())
            yield Static("esc close", classes="dialog-hint")
