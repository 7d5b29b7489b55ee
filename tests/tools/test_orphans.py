"""The reaper knows a tool's process group before the tool's command runs (issue 10, "Processes").

Registering the group from the parent after the spawn left a window in which the shell had already forked
children; a SIGKILL of agent-tui in that window orphaned them (`test_sigkill_leaves_no_tool_process_behind` failed
now and then on a loaded machine). Here the parent never calls `reaper.watch`: only `child_preexec` registers.
"""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from agent_tui.core.tools.orphans import Reaper, child_preexec, reaper
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


NEXT_PID = Path("/proc/sys/kernel/ns_last_pid")


def _session_leader_with_pid(pid: int) -> subprocess.Popen[bytes] | None:
    """A new session (and group) leader whose pid is `pid`: the kernel is made to hand the pid out again, as it
    does by itself once pids wrap around. None when other processes kept taking it first."""
    for _ in range(300):
        try:
            NEXT_PID.write_text(str(pid - 1))
        except OSError:
            pytest.skip("choosing the next pid needs root (/proc/sys/kernel/ns_last_pid)")
        proc = subprocess.Popen(["sleep", "300"], start_new_session=True)
        if proc.pid == pid:
            return proc
        proc.kill()
        proc.wait()
    return None


def _reaper_has_read_everything(watchdog: Reaper) -> bool:
    fd = watchdog.fileno()
    assert fd is not None and watchdog.pid is not None
    unread = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]  # either end of a pipe
    state = Path(f"/proc/{watchdog.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return unread == 0 and state == "S"  # it sleeps only in select(), once every line is handled


@pytest.mark.skipif(not NEXT_PID.exists(), reason="needs Linux's /proc/sys/kernel/ns_last_pid")
def test_a_group_whose_id_was_reused_by_another_process_is_not_signalled() -> None:
    watchdog = Reaper()
    gone = subprocess.Popen(["sleep", "300"], start_new_session=True)
    watchdog.watch(gone.pid)
    ours = subprocess.Popen(["sleep", "300"], start_new_session=True)
    watchdog.watch(ours.pid)
    stranger = None
    try:
        wait_until(lambda: _reaper_has_read_everything(watchdog), "the reaper to read both groups")
        gone.kill()
        gone.wait()  # the group is gone, and never forgotten: as when agent-tui is killed after a tool ended
        stranger = _session_leader_with_pid(gone.pid)
        if stranger is None:
            pytest.skip(f"pid {gone.pid} kept being taken by other processes")
        watchdog.close()  # as when agent-tui exits: it signals every group it still knows to be its own
        assert ours.wait(timeout=30) != 0
        assert stranger.poll() is None  # the unrelated group that now has the old id lives on
    finally:
        watchdog.close()
        for proc in (gone, ours, stranger):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
