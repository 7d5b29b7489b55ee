"""`McpManager`: the configured MCP servers, started in the background, their tools and their states.

A server still starting adds no tools and delays nothing; a server that fails is withdrawn and the agent goes
on. Every state change is published on the bus as `McpStatusChanged`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from agent_tui.core.bus import Bus
from agent_tui.core.config import McpLocal, McpServer
from agent_tui.core.events import McpStatusChanged
from agent_tui.core.mcp.logfile import log_path
from agent_tui.core.mcp.names import tool_name
from agent_tui.core.mcp.server import McpConnection
from agent_tui.core.mcp.status import McpServerStatus
from agent_tui.core.mcp.tool import McpTool
from agent_tui.core.tools.base import Tool

log = logging.getLogger(__name__)

DEFAULT_STARTUP_TIMEOUT = 30.0


class McpManager:
    def __init__(
        self,
        config: dict[str, McpServer],
        bus: Bus,
        *,
        log_dir: Path,
        directory: Path | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> None:
        """`directory` is the working folder of local servers (the project); `startup_timeout` bounds each
        server's connection and handshake (config `mcp_startup_timeout`)."""
        self._config = dict(config)
        self._bus = bus
        self._log_dir = log_dir
        self._directory = directory
        self._startup_timeout = startup_timeout
        self._connections: dict[str, McpConnection] = {name: self._connection(name) for name in self._config}
        # Tools are rebuilt only when a server's state changes, so each step gets the same objects and names.
        self._tools: list[Tool] | None = None

    def _connection(self, name: str) -> McpConnection:
        return McpConnection(
            name,
            self._config[name],
            log_path=log_path(self._log_dir, name),
            cwd=self._directory if isinstance(self._config[name], McpLocal) else None,
            startup_timeout=self._startup_timeout,
            on_change=self._changed,
        )

    def start(self) -> None:
        """Start every enabled server in the background; returns at once. Needs a running event loop."""
        for connection in self._connections.values():
            connection.start()

    async def wait_ready(self, timeout: float) -> None:  # noqa: ASYNC109 - the bound is the point of this call
        """Wait until every enabled server is ready or failed, at most `timeout` seconds (for headless runs)."""
        waits = [c.wait_settled() for c in self._connections.values()]
        if not waits:
            return
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout)
        except TimeoutError:
            starting = [c.name for c in self._connections.values() if c.status == "starting"]
            log.warning("MCP servers still starting after %s s: %s", timeout, ", ".join(starting))

    def tools(self) -> list[Tool]:
        """The tools of the servers that are ready now, named `SERVER_TOOL`."""
        if self._tools is None:
            tools: list[Tool] = []
            taken: set[str] = set()
            for connection in self._connections.values():
                if connection.status != "ready":
                    continue
                for spec in connection.tools:
                    name = tool_name(connection.name, spec.name, taken)
                    taken.add(name)
                    tools.append(McpTool(name, spec, connection))
            self._tools = tools
        return list(self._tools)

    def status(self) -> list[McpServerStatus]:
        tool_names: dict[str, list[str]] = {}
        for tool in self.tools():
            assert isinstance(tool, McpTool)
            tool_names.setdefault(tool.server, []).append(tool.name)
        return [
            McpServerStatus(
                name=c.name,
                type=c.config.type,
                status=c.status,
                tools=len(c.tools),
                error=c.error,
                tool_names=tool_names.get(c.name, []),
            )
            for c in self._connections.values()
        ]

    async def restart(self, name: str) -> None:
        """Stop the server `name` (whatever its state) and start it again. Raises KeyError for an unknown name."""
        old = self._connections[name]
        await old.stop()
        self._connections[name] = self._connection(name)
        self._connections[name].start()

    async def set_enabled(self, name: str, enabled: bool) -> None:
        """Enable (start) or disable (stop) the server `name` for the life of this manager; the config file is
        left as it is. Raises KeyError for an unknown name."""
        old = self._connections[name]
        await old.stop()
        self._config[name] = self._config[name].model_copy(update={"enabled": enabled})
        self._connections[name] = connection = self._connection(name)
        if enabled:
            connection.start()
        else:
            self._changed(connection)  # a disabled connection never starts, so say so here

    async def shutdown(self) -> None:
        """Stop every server and wait for their processes to end. Never raises."""
        await asyncio.gather(*(c.stop() for c in self._connections.values()), return_exceptions=True)

    def _changed(self, connection: McpConnection) -> None:
        self._tools = None
        if self._connections.get(connection.name) is not connection:
            return  # a connection being replaced by restart(): its last words do not matter
        self._bus.publish(
            McpStatusChanged(
                server=connection.name,
                status=connection.status,
                tools=len(connection.tools),
                error=connection.error,
            )
        )
