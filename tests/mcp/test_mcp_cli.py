"""`agent-tui mcp list`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from mcp_test_support import local_server

from agent_tui.cli_mcp import run_mcp_list


def write_config(folder: Path, data: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "agent-tui.json").write_text(json.dumps(data))
    return folder


def test_lists_each_server_with_state_tools_and_error(tmp_path: Path, agent_tui_home: Path) -> None:
    project = write_config(tmp_path / "project", {"mcp": {
        "tools": local_server(),
        "ghost": {"type": "local", "command": ["agent-tui-no-such-command"]},
        "off": {"type": "remote", "url": "http://127.0.0.1:9/mcp", "enabled": False},
    }})
    out = io.StringIO()

    code = run_mcp_list(project, out=out)

    lines = out.getvalue().splitlines()
    assert code == 1  # a server failed
    assert lines[0].split() == ["NAME", "TYPE", "STATUS", "TOOLS", "ERROR"]
    rows = {line.split()[0]: line.split(maxsplit=4) for line in lines[1:4]}
    assert rows["tools"][:3] == ["tools", "local", "ready"] and int(rows["tools"][3]) >= 8
    assert rows["ghost"] == ["ghost", "local", "failed", "0", "command not found: agent-tui-no-such-command"]
    assert rows["off"] == ["off", "remote", "disabled", "0"]
    assert lines[4] == f"log of ghost: {agent_tui_home / 'data' / 'log' / 'mcp-ghost.log'}"


def test_all_ready_exits_zero(tmp_path: Path) -> None:
    project = write_config(tmp_path / "project", {"mcp": {"tools": local_server()}})
    out = io.StringIO()
    assert run_mcp_list(project, out=out) == 0
    assert " ready " in out.getvalue()


def test_no_servers(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_mcp_list(write_config(tmp_path / "empty", {}), out=out) == 0
    assert "No MCP servers configured" in out.getvalue()


def test_bad_entry_names_the_server(tmp_path: Path) -> None:
    project = write_config(tmp_path / "project", {"mcp": {"myserver": {"type": "local", "command": []}}})
    out = io.StringIO()
    assert run_mcp_list(project, out=out) == 2
    assert "mcp.myserver.command" in out.getvalue()
