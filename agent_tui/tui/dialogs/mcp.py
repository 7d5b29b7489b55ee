"""The MCP servers of the config: state, number of tools, the error of a server that failed, and for the one
highlighted: `r` reconnect it, `e` enable or disable it for this session (the config file is left as it is)."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.core.events import McpStatusChanged
from agent_tui.tui.dialogs.base import Dialog, dialog_css

STATE_STYLE = {"ready": "$success", "failed": "$error", "starting": "$warning"}

McpAction = tuple[Literal["restart", "enable", "disable"], str]


class McpDialog(Dialog[McpAction]):
    CSS_PATH = dialog_css("dialog_mcp.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        *Dialog.BINDINGS,
        Binding("r", "restart", "Reconnect", show=False),
        Binding("e", "toggle", "Enable / disable", show=False),
    ]

    def __init__(self, servers: list[McpStatusChanged], *, configured: list[str]) -> None:
        super().__init__()
        self.servers = servers
        self.configured = configured
        known = {s.server: s for s in servers}
        self.names = list(dict.fromkeys([*configured, *known]))
        self.states = {name: known[name].status if name in known else "starting" for name in self.names}
        self._known = known

    def _row(self, name: str, width: int) -> Content:
        status = self._known.get(name)
        state = self.states[name]
        line = Content.styled(f"{name:<{width}}", "bold") + Content.styled(f"{state:<10}", STATE_STYLE.get(state, ""))
        if status and status.status == "ready":
            line += Content(f"{status.tools} tools")
        if status and status.error:
            line += Content("\n  ") + Content.styled(status.error, "$error")
        return line

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("MCP servers", classes="dialog-title")
            if not self.names:
                yield Static(Content(
                    "No MCP server is configured. Add one to agent-tui.json, e.g.\n"
                    '  "mcp": {"files": {"type": "local", "command": ["npx", "-y", '
                    '"@modelcontextprotocol/server-filesystem", "."]}}'
                ))
                yield Static("esc close", classes="dialog-hint")
                return
            width = max(len(n) for n in self.names) + 2
            yield OptionList(*(Option(self._row(name, width), id=name) for name in self.names), id="mcp-list")
            yield Static("r reconnect · e enable/disable for this session · esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        if self.names:
            self.query_one(OptionList).focus()

    def _highlighted(self) -> str | None:
        if not self.names:
            return None
        option_list = self.query_one(OptionList)
        index = option_list.highlighted
        return self.names[index] if index is not None else None

    def action_restart(self) -> None:
        name = self._highlighted()
        if name is not None:
            self.dismiss(("restart", name))

    def action_toggle(self) -> None:
        name = self._highlighted()
        if name is not None:
            self.dismiss(("enable" if self.states[name] in ("disabled", "stopped") else "disable", name))
