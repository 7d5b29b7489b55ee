"""The app's `/mcp` (reconnect a server, enable or disable one for this session) and `/cost` actions.

A mixin of `AgentApp` (like `SessionActions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp
    from agent_tui.tui.dialogs.mcp import McpAction

    _Base = AgentApp
else:
    _Base = object


class EngineActions(_Base):
    def action_mcp_status(self) -> None:
        from agent_tui.tui.dialogs.mcp import McpDialog

        self.push_screen(McpDialog(list(self.mcp_states.values()), configured=list(self.service.config.mcp)),
                         self._mcp_action)

    def _mcp_action(self, choice: McpAction | None) -> None:
        if choice is None:
            return
        if self.service.mcp is None:
            self.notify("The MCP servers have not been started yet.", severity="warning")
            return
        self.run_worker(self._apply_mcp_action(*choice), name="mcp action", exit_on_error=False)

    async def _apply_mcp_action(self, action: str, name: str) -> None:
        manager = self.service.mcp
        try:
            if action == "restart":
                self.notify(f"Reconnecting {name}…", timeout=3)
                await manager.restart(name)  # type: ignore[union-attr]
            else:
                await manager.set_enabled(name, action == "enable")  # type: ignore[union-attr]
                self.notify(f"{name} {action}d for this session.", timeout=3)
        except KeyError:
            self.notify(f"No MCP server named {name}.", severity="error")

    def action_cost(self) -> None:
        from agent_tui.tui.dialogs.cost import CostDialog

        session_id = self.main.session_id
        if session_id is None:
            self.notify("Nothing spent yet: send a message first.", severity="warning")
            return
        self.push_screen(CostDialog(self.service.cost_report(session_id)))
