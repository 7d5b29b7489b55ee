"""A real `agent-tui` (the TUI) on a pseudo-terminal, for the signal and vanished-terminal tests."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.procs import tool_command, wait_until
from tests.faults.support import agent_command, child_env, write_config


def _controlling_terminal() -> None:
    """In the child, after `setsid`: the pty becomes its controlling terminal, as a real terminal is. Should the
    test runner die, closing the master hangs the terminal up and the kernel sends SIGHUP, so no TUI is left
    running on a dead pty (it was, burning CPU, after a killed run)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """agent-tui on a pty of 120x40; everything it writes is collected. `controlling=False` leaves the pty out of
    the child's session, so closing the master sends no SIGHUP: only the input's EOF/EIO tells it."""

    def __init__(self, project: Path, home: Path, *, controlling: bool = True) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = child_env(home, TERM="xterm-256color", COLORTERM="truecolor")
        self.proc = subprocess.Popen(agent_command(str(project)), cwd=project, env=env, stdin=slave, stdout=slave,
                                     stderr=slave, start_new_session=True, close_fds=True,
                                     preexec_fn=_controlling_terminal if controlling else None)
        os.close(slave)
        self.master: int | None = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while (master := self.master) is not None:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def type(self, keys: str) -> None:
        assert self.master is not None
        os.write(self.master, keys.encode())

    def join_reader(self) -> None:
        self._reader.join(timeout=5)

    def vanish(self) -> None:
        """Close the master, as a terminal emulator or tmux pane that goes away does."""
        master, self.master = self.master, None
        if master is not None:
            os.close(master)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master is not None:
            self._reader.join(timeout=5)
        self.vanish()


def start_tool_turn(tmp_path: Path, *, controlling: bool = True) -> tuple[FakeLLMThread, Terminal]:
    """The TUI on a pty, sent a prompt whose reply runs a bash tool that forks (`tool_command`)."""
    project = tmp_path / "proj"
    project.mkdir()
    script = [Reply.of(text("Starting it. "), tool_call("bash", {"command": tool_command(tmp_path)}, id="b1")),
              Reply.of(text("never reached"))]
    llm = FakeLLMThread(script).__enter__()
    # The pid files are outside the project: paths a command names there ask under external_directory.
    write_config(project, llm.openai_base, permission={"bash": "allow", "external_directory": "allow"})
    term = Terminal(project, tmp_path / "home", controlling=controlling)
    wait_until(lambda: b"fake/m" in term.output, "the first frame", timeout=180)
    time.sleep(0.5)  # the prompt has focus once the first frame is up; give it a moment to take keys
    term.type("start the server")
    term.type("\r")
    return llm, term
