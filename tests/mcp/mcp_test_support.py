"""Helpers shared by the MCP tests (imported by the tests and by this folder's conftest)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_tui.core.bus import Bus
from agent_tui.core.events import McpStatusChanged
from agent_tui.core.mcp.manager import McpManager

SERVERS = Path(__file__).parent / "servers"
HTTP_START_LIMIT = 30.0  # seconds for a test server to open its port (it imports the SDK first)


def server_command(script: str, *args: str) -> list[str]:
    return [sys.executable, str(SERVERS / script), *args]


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as gone: it runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def read_pid(path: Path) -> int:
    return int(path.read_text())


@dataclass
class Harness:
    manager: McpManager
    bus: Bus
    log_dir: Path
    events: list[McpStatusChanged] = field(default_factory=list)

    def status(self, name: str) -> Any:
        return next(s for s in self.manager.status() if s.name == name)

    def tool(self, name: str) -> Any:
        tools = {t.name: t for t in self.manager.tools()}
        assert name in tools, f"{name} not in {sorted(tools)}"
        return tools[name]

    async def until(self, predicate: Callable[[], bool], limit: float = 30.0) -> None:
        """Wait for a state change that happens in the background (bounded, so a bug fails instead of hanging)."""
        async with asyncio.timeout(limit):
            while not predicate():  # noqa: ASYNC110 - the state lives in another task; polling is simplest
                await asyncio.sleep(0.01)


HarnessFactory = Callable[..., Harness]


def local_server(script: str = "tools_server.py", *args: str, **options: Any) -> dict[str, Any]:
    """A `mcp` config entry for one of the test servers, run with this interpreter."""
    environment = {k: str(v) for k, v in options.pop("environment", {}).items()}
    environment.setdefault("PYTHONUNBUFFERED", "1")
    return {"type": "local", "command": server_command(script, *args), "environment": environment, **options}
