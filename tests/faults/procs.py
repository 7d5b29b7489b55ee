"""Process helpers for the signal tests: real pids, read from /proc."""

from __future__ import annotations

import os
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an orphan reparented to a non-reaping init stays a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] not in ("Z", "X")


def wait_until(condition, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def read_pid(path: Path) -> int:
    # The tool starts only after the child imported litellm: that can take a minute on a loaded 2-core machine.
    wait_until(lambda: path.exists() and path.read_text().strip().isdigit(), f"{path.name}", timeout=180)
    return int(path.read_text())


def tool_command(folder: Path) -> str:
    """A bash command whose shell forks a grandchild (`sleep`), writing both pids where the test can read them."""
    return f"echo $$ > {folder}/shell.pid; sleep 300 & echo $! > {folder}/sleep.pid; wait"


def kill_leftovers(*pids: int) -> None:
    for pid in pids:
        if pid <= 0:  # never started: os.kill(0, ...) would signal the test runner's own process group
            continue
        try:
            os.kill(pid, 9)
        except OSError:
            pass
