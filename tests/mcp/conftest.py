"""Fixtures for the MCP tests: real server subprocesses (stdio and HTTP) and a manager wired to a bus.

No `__init__.py` in this folder on purpose: a package named `mcp` here could shadow the SDK.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp_test_support import HTTP_START_LIMIT, Harness, HarnessFactory, server_command

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.events import McpStatusChanged
from agent_tui.core.mcp.manager import McpManager
from agent_tui.core.tools.base import FileTimes, PermissionRequest, ToolContext


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _launch_http(tmp_path: Path, mode: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    log_path = tmp_path / f"{mode}-server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(server_command("tools_server.py", mode, str(port)), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + HTTP_START_LIMIT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the {mode} test server did not start: {log_path.read_text()}")
                time.sleep(0.02)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    """The tools server over streamable HTTP on 127.0.0.1; yields its URL."""
    with _launch_http(tmp_path, "http") as (port, _process):
        yield f"http://127.0.0.1:{port}/mcp"


@pytest.fixture
def sse_server(tmp_path: Path) -> Iterator[str]:
    """The tools server offering only the older SSE transport; yields its URL."""
    with _launch_http(tmp_path, "sse") as (port, _process):
        yield f"http://127.0.0.1:{port}/sse"


@pytest.fixture
async def make_manager(tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    made: list[Harness] = []

    def factory(servers: dict[str, Any], *, startup_timeout: float = 30.0, start: bool = True) -> Harness:
        config = Config.model_validate({"mcp": servers})
        bus = Bus()
        log_dir = tmp_path / "log"
        manager = McpManager(config.mcp, bus, log_dir=log_dir, directory=tmp_path, startup_timeout=startup_timeout)
        harness = Harness(manager, bus, log_dir)
        bus.subscribe(McpStatusChanged, harness.events.append)
        made.append(harness)
        if start:
            manager.start()
        return harness

    yield factory
    for harness in made:
        await harness.manager.shutdown()


async def _no_permission_needed(request: PermissionRequest) -> None:
    return None


@pytest.fixture
def tool_context(tmp_path: Path) -> ToolContext:
    return ToolContext(
        session_id="ses_test",
        message_id="msg_test",
        call_id="call_test",
        directory=tmp_path,
        root=tmp_path,
        abort=asyncio.Event(),
        ask=_no_permission_needed,
        update=lambda title, metadata: None,
        file_times=FileTimes(),
    )
