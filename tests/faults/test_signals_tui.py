"""SIGTERM, SIGHUP and SIGKILL of the TUI (a real `agent-tui` on a pseudo-terminal) while a bash tool runs
(issue 10, "Processes"): the tool's process group ends; on SIGTERM/SIGHUP the terminal is restored (alternate
screen left, mouse tracking off), the turn is stored and the exit status is 0.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.faults.procs import ToolProcesses
from tests.faults.support import stored_tool_states
from tests.faults.terminal import start_tool_turn

LEAVE_ALT_SCREEN = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_tui_sigterm_and_sighup_restore_the_terminal_and_stop_the_tool_group(sig: signal.Signals, tmp_path: Path):
    llm, term = start_tool_turn(tmp_path)
    tools = ToolProcesses(tmp_path)
    try:
        tools.read()
        assert LEAVE_ALT_SCREEN not in term.output
        mark = len(term.output)
        sent = time.monotonic()
        term.proc.send_signal(sig)
        code = term.proc.wait(timeout=120)
        print(f"TUI {sig.name}: exited {code} after {time.monotonic() - sent:.2f} s")
        assert code == 0
        term.join_reader()
        after = bytes(term.output[mark:])
        assert LEAVE_ALT_SCREEN in after and MOUSE_OFF in after
        tools.wait_gone()
        states = stored_tool_states(tmp_path / "home")
        assert "completed" in states or "error" in states, states
        assert "running" not in states and "pending" not in states, states
    finally:
        tools.kill_leftovers()
        term.close()
        llm.__exit__(None, None, None)


def test_tui_sigkill_leaves_no_tool_process_behind(tmp_path: Path):
    llm, term = start_tool_turn(tmp_path)
    tools = ToolProcesses(tmp_path)
    try:
        tools.read()
        term.proc.kill()
        term.proc.wait(timeout=120)
        tools.wait_gone("the orphaned tool processes to die")
    finally:
        tools.kill_leftovers()
        term.close()
        llm.__exit__(None, None, None)
