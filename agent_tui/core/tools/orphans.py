"""Tool processes never outlive agent-tui, even when it is killed with SIGKILL (where no code of ours runs).

Two guards, because each alone has a gap:
- `child_preexec` makes the group leader (the shell a tool starts) receive SIGKILL when agent-tui dies
  (`PR_SET_PDEATHSIG`). That does not cover the shell's own children: `sleep 300; echo` forks `sleep`, which the
  kernel would simply reparent.
- The reaper: one small watchdog process per agent-tui process that holds the read end of a pipe. Every tool
  process group is registered with it while it may be alive. When agent-tui exits for any reason, the kernel
  closes the write end; the reaper reads end-of-file and kills every registered group (SIGTERM, then SIGKILL).
  It runs in its own session, so the terminal's Ctrl+C or hang-up does not stop it first.
  The child registers its own group from `child_preexec`, before it execs the shell: registering it from the
  parent after the spawn left a window in which the shell had already forked children that a SIGKILL of
  agent-tui then orphaned (the intermittent failure of `test_sigkill_leaves_no_tool_process_behind`).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1

try:  # loaded in the parent: the child between fork and exec must not load libraries or take locks
    _prctl: Callable[..., int] | None = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):
    _prctl = None


def child_preexec() -> Callable[[], None] | None:
    """A `preexec_fn` for a child started with `start_new_session=True`: it registers its process group with
    the reaper and ties its own life to ours (Linux), before its command runs. None where neither is possible."""
    fd = reaper.fileno()
    if _prctl is None and fd is None:
        return None
    parent = os.getpid()
    prctl = _prctl

    def preexec() -> None:
        if fd is not None:
            # One short write (atomic on a pipe); subprocess closes this fd after preexec_fn, before exec.
            with contextlib.suppress(OSError):
                os.write(fd, b"+%d\n" % os.getpid())  # the new session's group id is our pid
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # we died between fork and here: neither guard may have seen it in time
            os._exit(1)

    return preexec


# The watchdog itself: stdlib only, started with -S -I so that it starts in a few milliseconds.
# A group is known by its id (its leader's pid) and its leader's start time: once the group is gone, the kernel
# may give that pid to an unrelated process, which may lead a group of its own with the same id. So the group is
# signalled only while its id is not a different process's pid, and it is forgotten once it is empty (checked on
# every message and each second), so a stale id does not linger until the pid comes round again.
_REAPER = r"""
import os, select, signal, sys, time
def started(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rfind(b")") + 2:].split()[19]
def ours(pgid, start):
    # The pid of a live group's id is never reused; a different process under it means the group is gone.
    now = started(pgid)
    return now is None or now == start
def alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True
groups = {}
def prune():
    for pgid, start in list(groups.items()):
        if not ours(pgid, start) or not alive(pgid):
            del groups[pgid]
stdin = sys.stdin.buffer.raw
pending = b""
while True:
    ready, _, _ = select.select([stdin], [], [], 1.0 if groups else None)
    if not ready:
        prune()
        continue
    data = os.read(stdin.fileno(), 65536)
    if not data:
        break
    pending += data
    *lines, pending = pending.split(b"\n")
    for line in lines:
        line = line.strip()
        try:
            pgid = int(line[1:])
        except ValueError:
            continue
        if pgid <= 1:
            continue  # 0 and 1 would mean our own group and init's
        if line[:1] == b"+":
            groups[pgid] = started(pgid)
        elif line[:1] == b"-":
            groups.pop(pgid, None)
    prune()
def signal_all(sig):
    alive = set()
    for pgid, start in groups.items():
        if not ours(pgid, start):
            continue
        try:
            os.killpg(pgid, sig)
            alive.add(pgid)
        except OSError:
            pass
    return alive
if signal_all(signal.SIGTERM):
    time.sleep(0.5)
    signal_all(signal.SIGKILL)
"""


class Reaper:
    """The watchdog of this process. Started on first use; `watch`/`forget` are cheap pipe writes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid = 0  # the process that started it (a forked child must start its own)

    def _pipe(self) -> IO[bytes] | None:
        if self._proc is not None and self._pid == os.getpid() and self._proc.poll() is None:
            return self._proc.stdin
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-S", "-I", "-c", _REAPER], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            log.warning("cannot start the process reaper: %s", exc)
            self._proc = None
            return None
        self._pid = os.getpid()
        return self._proc.stdin

    def _send(self, line: str) -> None:
        with self._lock:
            pipe = self._pipe()
            if pipe is None:
                return
            try:
                pipe.write(line.encode() + b"\n")
                pipe.flush()
            except OSError as exc:
                log.warning("the process reaper is gone: %s", exc)
                self._proc = None

    def fileno(self) -> int | None:
        """The write end of the watchdog's pipe (starting it if needed), for `child_preexec`."""
        with self._lock:
            pipe = self._pipe()
            return pipe.fileno() if pipe is not None else None

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}")

    def forget(self, pgid: int) -> None:
        self._send(f"-{pgid}")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def close(self) -> None:
        """Stop the watchdog now, killing what is still registered (as it would when we exit)."""
        with self._lock:
            if self._proc is not None and self._proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self._proc.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=5)
            self._proc = None


reaper = Reaper()
