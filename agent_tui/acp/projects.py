"""One session service per project folder the client names (`cwd` of `session/new` and `session/load`), each with
its forwarder, permission bridge and the client's files and terminals plugged in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from acp import RequestError
from acp.schema import ClientCapabilities

from agent_tui.acp.client_access import ClientAccess
from agent_tui.acp.forwarder import Forwarder, UpdateSink
from agent_tui.acp.mcp_servers import client_servers
from agent_tui.acp.permissions import PermissionBridge
from agent_tui.core.config import ConfigError
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import StorageError

log = logging.getLogger(__name__)


@dataclass
class Project:
    service: SessionService
    forwarder: Forwarder
    permissions: PermissionBridge


class Projects:
    def __init__(self, *, model: str | None, sink: UpdateSink, conn: Any, capabilities: ClientCapabilities | None):
        self._model = model
        self._sink = sink
        self._conn = conn
        self.capabilities = capabilities
        self._projects: dict[Path, Project] = {}

    def get(self, cwd: str, mcp_servers: list[Any] | None = None) -> Project:
        """The project of `cwd`; `mcp_servers` (the client's) are started with it when it is first opened."""
        folder = Path(cwd)
        if not folder.is_absolute():
            raise RequestError.invalid_params({"cwd": f"must be an absolute path, not {cwd!r}"})
        if not folder.is_dir():
            raise RequestError.invalid_params({"cwd": f"{cwd} is not a folder"})
        key = folder.resolve()
        if key not in self._projects:
            self._projects[key] = self._open(key, mcp_servers)
        elif mcp_servers:
            log.info("acp: MCP servers of a later session are not started (the project's are already running)")
        return self._projects[key]

    def _open(self, folder: Path, mcp_servers: list[Any] | None) -> Project:
        try:
            service = SessionService.open(folder, model=self._model)
        except (ConfigError, StorageError) as exc:
            raise RequestError(-32603, str(exc), {"cwd": str(folder)}) from exc
        directory = service.project.directory
        forwarder = Forwarder(service.bus, service.storage, directory, self._sink,
                              lambda provider, model: service.catalog.model_info(provider, model).context)
        permissions = PermissionBridge(
            service.bus, service.permissions.reply, forwarder, self._sink, self._conn.request_permission, directory
        )
        service.access = ClientAccess(self._conn, self.capabilities, forwarder.route)
        servers = {**service.config.mcp, **client_servers(mcp_servers, service.config.mcp)}
        if servers:
            from agent_tui.core import paths
            from agent_tui.core.mcp.manager import McpManager

            # Started in the background; the first prompt waits for them (bounded), as `agent-tui run` does.
            service.mcp = McpManager(servers, service.bus, log_dir=paths.log_dir(), directory=directory,
                                     startup_timeout=service.config.mcp_startup_timeout)
            service.mcp.start()  # type: ignore[attr-defined]
        log.info("acp: opened project %s", directory)
        return Project(service=service, forwarder=forwarder, permissions=permissions)

    def all(self) -> list[Project]:
        return list(self._projects.values())

    async def shutdown(self) -> None:
        for project in self._projects.values():
            project.permissions.close()
            try:
                await project.service.shutdown()
            except Exception:
                log.exception("acp: shutting a project down failed")
            project.forwarder.close()
            project.service.storage.close()
        self._projects.clear()
