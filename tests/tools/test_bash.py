from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from agent_tui.core.tools import bash as bash_module
from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.bash import BashParams, BashTool
from agent_tui.core.tools.process import group_alive


def alive(pid: int) -> bool:
    """Running (not a zombie waiting for a reaper)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


async def run(ctx, command: str, **kwargs):
    return await BashTool().execute(BashParams(command=command, **kwargs), ctx)


async def test_runs_in_project_folder_merging_streams(ctx, project: Path) -> None:
    result = await run(ctx, "pwd; echo out; echo err >&2; exit 3")
    assert str(project) in result.output
    assert "out" in result.output and "err" in result.output
    assert result.metadata["exit_code"] == 3 and "Exit code 3" in result.output


async def test_stdin_is_not_the_terminal(ctx) -> None:
    result = await run(ctx, "cat; echo done")
    assert result.output.strip() == "done"


async def test_live_updates_are_streamed(ctx, recorder) -> None:
    await run(ctx, "echo first; sleep 0.3; echo second")
    outputs = [meta["output"] for _, meta in recorder.updates]
    assert any("first" in o and "second" not in o for o in outputs)


async def test_timeout_kills_a_command_that_never_ends(ctx, project: Path) -> None:
    result = await run(ctx, "echo started; echo $$ > pid; sleep 1000", timeout=0.5)
    assert result.metadata["timed_out"] is True
    assert "timed out after 0.5 s" in result.output and "started" in result.output
    assert not alive(int((project / "pid").read_text()))


async def test_abort_kills_forked_children(ctx, project: Path) -> None:
    tool_task = asyncio.create_task(
        run(ctx, "(sleep 1000 & echo $! > child.pid; wait) & sleep 1000 & echo $! > sleeper.pid; wait")
    )
    for _ in range(1500):  # up to 30 s, for a loaded machine
        # A file exists before `echo` has written to it: wait for the pids themselves.
        if all((project / n).exists() and (project / n).read_text().strip().isdigit()
               for n in ("child.pid", "sleeper.pid")):
            break
        await asyncio.sleep(0.02)
    pids = [int((project / n).read_text()) for n in ("child.pid", "sleeper.pid")]
    assert all(alive(p) for p in pids)
    ctx.abort.set()
    result = await tool_task
    assert result.metadata["aborted"] is True and "aborted" in result.output
    assert not any(alive(p) for p in pids)


async def test_sigterm_ignoring_process_gets_sigkill(ctx, project: Path, monkeypatch) -> None:
    monkeypatch.setattr(bash_module, "KILL_GRACE", 0.2)
    result = await run(ctx, "trap '' TERM; echo $$ > pid; while true; do sleep 0.05; done", timeout=0.3)
    assert result.metadata["timed_out"] is True and "SIGKILL needed" in result.output
    pid = int((project / "pid").read_text())
    assert not alive(pid)
    assert not group_alive(pid)


async def test_background_child_does_not_block(ctx, project: Path) -> None:
    result = await run(ctx, "sleep 30 & echo $! > bg.pid; echo ok")
    assert result.output.startswith("ok") and result.metadata["exit_code"] == 0
    os.kill(int((project / "bg.pid").read_text()), 9)


async def test_huge_output_keeps_head_and_tail_and_saves_everything(ctx, monkeypatch) -> None:
    result = await run(ctx, "seq 1 200000")
    assert result.output.startswith("1\n2\n")
    assert result.output.rstrip().endswith("200000")
    saved_lines = Path(result.metadata["output_path"]).read_text().splitlines()  # noqa: ASYNC240
    assert saved_lines[-1] == "200000" and len(saved_lines) == 200000
    assert "output too long" in result.output


async def test_timeout_over_max_is_clamped_and_bad_values_refused(ctx) -> None:
    result = await run(ctx, "true", timeout=100000)
    assert "limited to the maximum" in result.output
    with pytest.raises(ToolError, match="positive"):
        await run(ctx, "true", timeout=0)
    with pytest.raises(ToolError, match="empty"):
        await run(ctx, "   ")


async def test_permission_request_and_rejection(ctx, recorder, project: Path) -> None:
    recorder.reject.add("bash")
    with pytest.raises(ToolError, match="refused"):
        await run(ctx, "touch made")
    assert not (project / "made").exists()
    assert recorder.asked[0].metadata["command"] == "touch made"


def test_constants_match_the_issue() -> None:
    assert bash_module.DEFAULT_TIMEOUT == 120 and bash_module.MAX_TIMEOUT == 600
