"""Process helpers for the signal tests: real pids, read from /proc."""

from __future__ import annotations

import os
import time
from pathlib import Path

_started: dict[int, str] = {}  # pid -> start time, so that a pid reused by another process is not mistaken


def _stat(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()


def alive(pid: int) -> bool:
    """True while `pid` (the process `read_pid` saw) exists and is not a zombie (an orphan reparented to a
    non-reaping init stays a zombie). pid_max may be 32768 on a busy machine: a reused pid does not count."""
    fields = _stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return pid not in _started or fields[19] == _started[pid]


def wait_until(condition, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def read_pid(path: Path) -> int:
    # The tool starts only after the child imported litellm: that can take a minute on a loaded 2-core machine.
    wait_until(lambda: path.exists() and path.read_text().strip().isdigit(), f"{path.name}", timeout=180)
    pid = int(path.read_text())
    fields = _stat(pid)
    if fields is not None:
        _started[pid] = fields[19]
    return pid


def tool_command(folder: Path) -> str:
    """A bash command whose shell forks a grandchild (`sleep`), writing both pids where the test can read them."""
    return f"echo $$ > {folder}/shell.pid; sleep 300 & echo $! > {folder}/sleep.pid; wait"


def kill_leftovers(*pids: int) -> None:
    for pid in pids:
        if pid <= 0 or not alive(pid):  # never started (os.kill(0) signals our own group), gone, or reused
            continue
        try:
            os.kill(pid, 9)
        except OSError:
            pass


class ToolProcesses:
    """The bash tool's shell and the `sleep` it forked (see `tool_command`), as their pid files tell."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.shell = self.sleeper = 0

    def read(self) -> ToolProcesses:
        self.shell, self.sleeper = read_pid(self.folder / "shell.pid"), read_pid(self.folder / "sleep.pid")
        return self

    def wait_gone(self, what: str = "the tool's processes to end") -> None:
        wait_until(lambda: not alive(self.sleeper) and not alive(self.shell), what, timeout=30)

    def kill_leftovers(self) -> None:
        kill_leftovers(self.shell, self.sleeper)
