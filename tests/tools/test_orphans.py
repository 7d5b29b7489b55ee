"""The reaper knows a tool's process group before the tool's command runs (issue 10, "Processes").

Registering the group from the parent after the spawn left a window in which the shell had already forked
children; a SIGKILL of agent-tui in that window orphaned them (`test_sigkill_leaves_no_tool_process_behind` failed
now and then on a loaded machine). Here the parent never calls `reaper.watch`: only `child_preexec` registers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_tui.core.tools.orphans import child_preexec, reaper
from tests.faults.procs import alive, kill_leftovers, read_pid, wait_until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups and preexec_fn are POSIX")


def _pipe_inode(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def test_the_child_registers_its_group_before_its_command_runs(tmp_path: Path) -> None:
    preexec = child_preexec()
    assert preexec is not None
    pipe = _pipe_inode(reaper.fileno() or -1)
    shell = subprocess.Popen(
        ["/bin/sh", "-c", f"sleep 300 & echo $! > {tmp_path}/sleep.pid; wait"],
        start_new_session=True, preexec_fn=preexec, close_fds=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    sleeper = 0
    try:
        sleeper = read_pid(tmp_path / "sleep.pid")
        # The reaper's pipe is closed in the child before exec: a tool must not keep the watchdog waiting.
        held = [os.readlink(f"/proc/{shell.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{shell.pid}/fd")]
        assert pipe not in held
        reaper.close()  # as when agent-tui dies: the watchdog kills every group it knows
        wait_until(lambda: not alive(sleeper), "the tool's child to be killed by the reaper", timeout=30)
        shell.wait(timeout=30)
    finally:
        kill_leftovers(sleeper)
        shell.kill()
        shell.wait()
