"""MCP servers the client passes with `session/new` / `session/load` (an editor's own context servers), as our
MCP config: stdio servers become `local` ones, HTTP and SSE servers `remote` ones (streamable HTTP, then SSE).

They join the project's configured servers when the project is first opened in this process; a configured
server of the same name wins. MCP-over-ACP servers are not supported (not advertised either).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from acp.schema import McpServerHttp, McpServerSse, McpServerStdio

from agent_tui.core.config import McpLocal, McpRemote, McpServer

log = logging.getLogger(__name__)


def server_name(name: str) -> str:
    """A name usable as the prefix of tool names (SERVER_TOOL): letters, digits, `-` and `_`."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "editor"


def client_servers(servers: list[Any] | None, configured: dict[str, McpServer]) -> dict[str, McpServer]:
    found: dict[str, McpServer] = {}
    for server in servers or []:
        name = server_name(server.name)
        if name in configured or name in found:
            log.info("acp: the client's MCP server %r is already configured; the config's is used", server.name)
            continue
        if isinstance(server, McpServerStdio):
            found[name] = McpLocal(type="local", command=[server.command, *server.args],
                                   environment={v.name: v.value for v in server.env})
        elif isinstance(server, McpServerHttp | McpServerSse):
            found[name] = McpRemote(type="remote", url=server.url, headers={h.name: h.value for h in server.headers})
        else:
            log.info("acp: the client's MCP server %r uses a transport we do not support; skipped", server.name)
    return found
