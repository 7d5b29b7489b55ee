"""MCP servers as tools, against real server subprocesses (stdio and streamable HTTP) built with the SDK."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
from pathlib import Path

import pytest
from mcp_test_support import HarnessFactory, local_server, process_alive, read_pid

from agent_tui.core.config import ConfigError, load_config
from agent_tui.core.tools.base import ToolContext, ToolError

READY_LIMIT = 30.0  # generous bound for a Python server to import the SDK and answer; never a timed assertion


async def test_stdio_server_lists_tools_and_answers_calls(
    make_manager: HarnessFactory, tool_context: ToolContext
) -> None:
    harness = make_manager({"tools": local_server()})
    assert harness.manager.tools() == []  # still starting: adds nothing and delays nothing

    await harness.manager.wait_ready(READY_LIMIT)

    status = harness.status("tools")
    assert (status.status, status.type, status.error) == ("ready", "local", None)
    names = {t.name for t in harness.manager.tools()}
    assert {"tools_echo", "tools_add", "tools_fail", "tools_a_tool_with_spaces"} <= names
    assert status.tools == len(names) and sorted(status.tool_names) == sorted(names)

    add = harness.tool("tools_add")
    function = add.schema()["function"]
    assert function["description"] == "Add two integers."
    assert function["parameters"]["required"] == ["a", "b"]
    assert function["parameters"]["properties"]["a"]["type"] == "integer"

    result = await add.execute(add.Params.model_validate({"a": 2, "b": 40}), tool_context)
    assert result.output == "42"
    assert result.metadata == {"mcp_server": "tools", "mcp_tool": "add"}

    echo = harness.tool("tools_echo")
    assert (await echo.execute({"text": "hi"}, tool_context)).output == "echo: hi"
    odd = harness.tool("tools_a_tool_with_spaces")
    assert (await odd.execute({}, tool_context)).output == "odd"


async def test_images_become_attachments_and_resources_text(
    make_manager: HarnessFactory, tool_context: ToolContext
) -> None:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)

    picture = await harness.tool("tools_picture").execute({}, tool_context)
    assert picture.output == "a red dot"
    [attachment] = picture.attachments
    assert attachment.mime == "image/png"
    assert base64.b64decode(attachment.data_base64).startswith(b"\x89PNG")

    document = await harness.tool("tools_document").execute({}, tool_context)
    assert document.output == "the notes"


async def test_streamable_http_server(
    make_manager: HarnessFactory, tool_context: ToolContext, http_server: str
) -> None:
    harness = make_manager({"web": {"type": "remote", "url": http_server, "headers": {"X-Team": "blue"}}})
    await harness.manager.wait_ready(READY_LIMIT)

    assert harness.status("web").status == "ready"
    assert (await harness.tool("web_echo").execute({"text": "over http"}, tool_context)).output == "echo: over http"
    # Headers from the config reach the server.
    assert (await harness.tool("web_header").execute({"name": "X-Team"}, tool_context)).output == "blue"


async def test_falls_back_to_sse(make_manager: HarnessFactory, tool_context: ToolContext, sse_server: str) -> None:
    harness = make_manager({"old": {"type": "remote", "url": sse_server}})
    await harness.manager.wait_ready(READY_LIMIT)

    assert harness.status("old").status == "ready", harness.status("old").error
    assert (await harness.tool("old_add").execute({"a": 1, "b": 2}, tool_context)).output == "3"


async def test_unreachable_remote_server_fails_with_reason(make_manager: HarnessFactory) -> None:
    harness = make_manager({"gone": {"type": "remote", "url": "http://127.0.0.1:9/mcp"}})
    await harness.manager.wait_ready(READY_LIMIT)

    status = harness.status("gone")
    assert status.status == "failed"
    assert "cannot connect to http://127.0.0.1:9/mcp" in (status.error or "")


async def test_tool_that_raises_is_a_tool_error(make_manager: HarnessFactory, tool_context: ToolContext) -> None:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)

    with pytest.raises(ToolError, match="boom"):
        await harness.tool("tools_fail").execute({"message": "boom"}, tool_context)
    # A tool error is the tool's business: the server stays up.
    assert harness.status("tools").status == "ready"
    assert (await harness.tool("tools_echo").execute({"text": "still"}, tool_context)).output == "echo: still"


async def test_server_that_exits_mid_call(make_manager: HarnessFactory, tool_context: ToolContext) -> None:
    harness = make_manager({"fragile": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)
    echo = harness.tool("fragile_echo")

    with pytest.raises(ToolError) as caught:
        await harness.tool("fragile_crash").execute({}, tool_context)

    message = str(caught.value)
    assert message.startswith("MCP server 'fragile' failed: the server closed the connection")
    assert "crashing on purpose" in message  # the last line of its stderr explains why
    status = harness.status("fragile")
    assert status.status == "failed" and status.error and "closed the connection" in status.error
    assert harness.manager.tools() == []  # withdrawn from the next step
    assert [e.status for e in harness.events if e.server == "fragile"][-1] == "failed"
    # A tool object the model still holds answers with the reason instead of hanging.
    with pytest.raises(ToolError, match="MCP server 'fragile' failed"):
        await echo.execute({"text": "x"}, tool_context)


async def test_server_that_dies_while_idle_is_marked_failed(make_manager: HarnessFactory, tmp_path: Path) -> None:
    pid_file = tmp_path / "idle.pid"
    harness = make_manager({"idle": local_server(environment={"MCP_TEST_PID_FILE": pid_file})})
    await harness.manager.wait_ready(READY_LIMIT)

    os.kill(read_pid(pid_file), signal.SIGKILL)
    await harness.until(lambda: harness.status("idle").status == "failed")

    assert "closed the connection" in (harness.status("idle").error or "")
    assert harness.manager.tools() == []


async def test_call_that_never_returns_times_out(
    make_manager: HarnessFactory, tool_context: ToolContext, tmp_path: Path
) -> None:
    pid_file = tmp_path / "slow.pid"
    harness = make_manager({"slow": local_server(timeout=0.5, environment={"MCP_TEST_PID_FILE": pid_file})})
    await harness.manager.wait_ready(READY_LIMIT)

    with pytest.raises(ToolError, match=r"MCP server 'slow' failed: no answer to 'hang' within 0.5 s"):
        await harness.tool("slow_hang").execute({}, tool_context)

    assert harness.status("slow").status == "failed"
    assert harness.manager.tools() == []
    await harness.manager.shutdown()
    assert not process_alive(read_pid(pid_file))


async def test_abort_stops_the_call_but_not_the_server(
    make_manager: HarnessFactory, tool_context: ToolContext
) -> None:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)

    call = asyncio.create_task(harness.tool("tools_hang").execute({}, tool_context))
    await asyncio.sleep(0.2)  # let the request reach the server
    tool_context.abort.set()
    with pytest.raises(ToolError, match="aborted"):
        await asyncio.wait_for(call, READY_LIMIT)

    tool_context.abort.clear()
    assert harness.status("tools").status == "ready"
    assert (await harness.tool("tools_echo").execute({"text": "next"}, tool_context)).output == "echo: next"


async def test_command_that_does_not_exist(make_manager: HarnessFactory) -> None:
    harness = make_manager({"ghost": {"type": "local", "command": ["agent-tui-no-such-command", "--flag"]}})
    await harness.manager.wait_ready(READY_LIMIT)

    status = harness.status("ghost")
    assert (status.status, status.error) == ("failed", "command not found: agent-tui-no-such-command")
    assert [(e.status, e.error) for e in harness.events] == [
        ("starting", None),
        ("failed", "command not found: agent-tui-no-such-command"),
    ]


async def test_server_whose_stdout_is_garbage(make_manager: HarnessFactory, tmp_path: Path) -> None:
    pid_file = tmp_path / "garbage.pid"
    harness = make_manager({"noisy": local_server("garbage_server.py", environment={"MCP_TEST_PID_FILE": pid_file})})
    await harness.manager.wait_ready(READY_LIMIT)

    status = harness.status("noisy")
    assert status.status == "failed"
    assert status.error == 'sent a line that is not JSON: "Server starting... this line is not JSON-RPC"'
    await harness.manager.shutdown()
    assert not process_alive(read_pid(pid_file))


async def test_server_that_never_finishes_the_handshake(make_manager: HarnessFactory, tmp_path: Path) -> None:
    pid_file = tmp_path / "silent.pid"
    harness = make_manager(
        {"mute": local_server("silent_server.py", environment={"MCP_TEST_PID_FILE": pid_file})}, startup_timeout=0.5
    )
    await harness.manager.wait_ready(READY_LIMIT)

    assert (harness.status("mute").status, harness.status("mute").error) == ("failed", "did not start within 0.5 s")
    await harness.manager.shutdown()
    assert not process_alive(read_pid(pid_file))


async def test_wait_ready_is_bounded(make_manager: HarnessFactory) -> None:
    harness = make_manager({"mute": local_server("silent_server.py")}, startup_timeout=60)

    await harness.manager.wait_ready(0.2)  # returns although the server is still starting

    assert harness.status("mute").status == "starting"
    assert harness.manager.tools() == []


async def test_shutdown_leaves_no_orphan_process(make_manager: HarnessFactory, tmp_path: Path) -> None:
    pid_files = {name: tmp_path / f"{name}.pid" for name in ("one", "two")}
    harness = make_manager(
        {name: local_server(environment={"MCP_TEST_PID_FILE": path}) for name, path in pid_files.items()}
    )
    await harness.manager.wait_ready(READY_LIMIT)
    pids = [read_pid(path) for path in pid_files.values()]
    assert all(process_alive(pid) for pid in pids)

    await harness.manager.shutdown()

    assert not any(process_alive(pid) for pid in pids)
    assert {s.status for s in harness.manager.status()} == {"stopped"}
    assert harness.manager.tools() == []


async def test_server_stderr_goes_to_its_log_file(
    make_manager: HarnessFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    marker = "stderr-marker-7f3a"
    harness = make_manager({"chatty": local_server(environment={"MCP_TEST_STDERR": marker})})
    await harness.manager.wait_ready(READY_LIMIT)
    await harness.manager.shutdown()

    log = (harness.log_dir / "mcp-chatty.log").read_text()
    assert marker in log
    assert marker not in capfd.readouterr().err


async def test_disabled_server_is_not_started(make_manager: HarnessFactory) -> None:
    harness = make_manager({"off": {**local_server(), "enabled": False}})
    await harness.manager.wait_ready(READY_LIMIT)

    assert harness.status("off").status == "disabled"
    assert harness.events == []


async def test_restart_brings_a_failed_server_back(make_manager: HarnessFactory, tool_context: ToolContext) -> None:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)
    with pytest.raises(ToolError):
        await harness.tool("tools_crash").execute({}, tool_context)
    assert harness.status("tools").status == "failed"

    await harness.manager.restart("tools")
    await harness.manager.wait_ready(READY_LIMIT)

    assert (harness.status("tools").status, harness.status("tools").error) == ("ready", None)
    assert (await harness.tool("tools_echo").execute({"text": "back"}, tool_context)).output == "echo: back"


def test_bad_mcp_entry_is_rejected_with_the_server_name(tmp_path: Path) -> None:
    (tmp_path / "agent-tui.json").write_text(json.dumps({"mcp": {"myserver": {"type": "local", "command": "npx x"}}}))

    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, global_path=tmp_path / "none.json")

    assert "mcp.myserver.command" in str(caught.value)


def test_sdk_is_not_imported_on_the_startup_path(subprocess_env: dict[str, str]) -> None:
    import subprocess

    code = (
        "import sys; import agent_tui.core.mcp.manager, agent_tui.cli_mcp; "
        "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith(('mcp.', 'mcp_types', 'anyio'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_garbage_in_the_middle_of_a_session_fails_the_server(
    make_manager: HarnessFactory, tool_context: ToolContext
) -> None:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)

    with pytest.raises(ToolError, match="MCP server 'tools' failed: sent a line that is not JSON"):
        await harness.tool("tools_babble").execute({}, tool_context)

    assert harness.status("tools").error == 'sent a line that is not JSON: "oops, a debug print"'
    assert harness.manager.tools() == []


async def test_server_that_crashes_on_start_reports_its_last_stderr_line(make_manager: HarnessFactory) -> None:
    crash = "import sys; sys.stderr.write('Error: missing API token\\n'); sys.exit(1)"
    harness = make_manager({"broken": {"type": "local", "command": [sys.executable, "-c", crash]}})
    await harness.manager.wait_ready(READY_LIMIT)

    status = harness.status("broken")
    assert status.status == "failed"
    assert status.error == "the server closed the connection (last stderr line: Error: missing API token)"
