"""SIGTERM, SIGHUP and SIGKILL of the TUI (a real `agent-tui` on a pseudo-terminal) while a bash tool runs
(issue 10, "Processes"): the tool's process group ends; on SIGTERM/SIGHUP the terminal is restored (alternate
screen left, mouse tracking off), the turn is stored and the exit status is 0.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.procs import alive, kill_leftovers, read_pid, tool_command, wait_until
from tests.faults.support import agent_command, child_env, write_config

LEAVE_ALT_SCREEN = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"


def _controlling_terminal() -> None:
    """In the child, after `setsid`: the pty becomes its controlling terminal, as a real terminal is. Should the
    test runner die, closing the master hangs the terminal up and the kernel sends SIGHUP, so no TUI is left
    running on a dead pty (it was, burning CPU, after a killed run)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """agent-tui on a pty of 120x40; everything it writes is collected."""

    def __init__(self, project: Path, home: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = child_env(home, TERM="xterm-256color", COLORTERM="truecolor")
        self.proc = subprocess.Popen(agent_command(str(project)), cwd=project, env=env, stdin=slave, stdout=slave,
                                     stderr=slave, start_new_session=True, close_fds=True,
                                     preexec_fn=_controlling_terminal)
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        os.close(self.master)


def _start(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = tmp_path / "proj"
    project.mkdir()
    script = [Reply.of(text("Starting it. "), tool_call("bash", {"command": tool_command(tmp_path)}, id="b1")),
              Reply.of(text("never reached"))]
    llm = FakeLLMThread(script).__enter__()
    # The pid files are outside the project: paths a command names there ask under external_directory.
    write_config(project, llm.openai_base, permission={"bash": "allow", "external_directory": "allow"})
    term = Terminal(project, tmp_path / "home")
    wait_until(lambda: b"fake/m" in term.output, "the first frame", timeout=180)
    time.sleep(0.5)  # the prompt has focus once the first frame is up; give it a moment to take keys
    term.type("start the server")
    term.type("\r")
    return llm, term


def _tool_states(home: Path) -> list[str]:
    db = sqlite3.connect(home / "data" / "agent-tui.db")
    try:
        rows = db.execute("SELECT json_extract(data, '$.state.status') FROM parts "
                          "WHERE json_extract(data, '$.type') = 'tool'").fetchall()
    finally:
        db.close()
    return [r[0] for r in rows]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_tui_sigterm_and_sighup_restore_the_terminal_and_stop_the_tool_group(sig: signal.Signals, tmp_path: Path):
    llm, term = _start(tmp_path)
    shell = sleeper = 0
    try:
        shell, sleeper = read_pid(tmp_path / "shell.pid"), read_pid(tmp_path / "sleep.pid")
        assert LEAVE_ALT_SCREEN not in term.output
        mark = len(term.output)
        sent = time.monotonic()
        term.proc.send_signal(sig)
        code = term.proc.wait(timeout=120)
        print(f"TUI {sig.name}: exited {code} after {time.monotonic() - sent:.2f} s")
        assert code == 0
        term._reader.join(timeout=5)
        after = bytes(term.output[mark:])
        assert LEAVE_ALT_SCREEN in after and MOUSE_OFF in after
        wait_until(lambda: not alive(sleeper) and not alive(shell), "the tool's processes to end", timeout=30)
        states = _tool_states(tmp_path / "home")
        assert states and "running" not in states and "pending" not in states, states
    finally:
        kill_leftovers(shell, sleeper)
        term.close()
        llm.__exit__(None, None, None)


def test_tui_sigkill_leaves_no_tool_process_behind(tmp_path: Path):
    llm, term = _start(tmp_path)
    shell = sleeper = 0
    try:
        shell, sleeper = read_pid(tmp_path / "shell.pid"), read_pid(tmp_path / "sleep.pid")
        term.proc.kill()
        term.proc.wait(timeout=120)
        wait_until(lambda: not alive(sleeper) and not alive(shell), "the orphaned tool processes to die", timeout=30)
    finally:
        kill_leftovers(shell, sleeper)
        term.close()
        llm.__exit__(None, None, None)
