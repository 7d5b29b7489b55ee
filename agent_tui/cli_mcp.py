"""`agent-tui mcp list`: start the configured MCP servers, show each one's state, tool count and last error."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from agent_tui.core import paths
from agent_tui.core.bus import Bus
from agent_tui.core.config import ConfigError, load_config
from agent_tui.core.mcp.logfile import log_path
from agent_tui.core.mcp.manager import McpManager
from agent_tui.core.mcp.status import McpServerStatus

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def format_table(statuses: list[McpServerStatus], log_dir: Path) -> str:
    header = ("NAME", "TYPE", "STATUS", "TOOLS", "ERROR")
    rows = [(s.name, s.type, s.status, str(s.tools), s.error or "") for s in statuses]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(4)]
    lines = []
    for row in (header, *rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]), row[3].rjust(widths[3])]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    for status in statuses:
        if status.status == "failed" and status.type == "local":
            lines.append(f"log of {status.name}: {log_path(log_dir, status.name)}")
    return "\n".join(lines)


async def _collect(manager: McpManager, startup_timeout: float) -> list[McpServerStatus]:
    manager.start()
    try:
        await manager.wait_ready(startup_timeout)
        return manager.status()
    finally:
        await manager.shutdown()


def run_mcp_list(directory: Path, *, out: TextIO = sys.stdout) -> int:
    """Print the state of every configured server. Exit code 1 when a server failed, 2 for a bad config."""
    try:
        config = load_config(directory).config
    except ConfigError as exc:
        print(str(exc), file=out)
        return EXIT_CONFIG
    if not config.mcp:
        print('No MCP servers configured. Add them under "mcp" in agent-tui.json.', file=out)
        return EXIT_OK
    log_dir = paths.log_dir()
    manager = McpManager(
        config.mcp,
        Bus(),
        log_dir=log_dir,
        directory=Path(directory).resolve(),
        startup_timeout=config.mcp_startup_timeout,
    )
    statuses = asyncio.run(_collect(manager, config.mcp_startup_timeout))
    print(format_table(statuses, log_dir), file=out)
    return EXIT_FAILED if any(s.status == "failed" for s in statuses) else EXIT_OK
