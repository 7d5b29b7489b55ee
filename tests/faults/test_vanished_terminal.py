"""The TUI's terminal goes away without a SIGHUP reaching it (a tmux pane killed, an emulator that crashed, a
process outside the terminal's session): its input ends in EOF/EIO. The TUI must exit as on SIGHUP (turn
stored, tool group stopped) instead of spinning on a dead pty (it did, at ~20 % of a core, for an hour)."""

from __future__ import annotations

from pathlib import Path

from tests.faults.procs import ToolProcesses
from tests.faults.support import stored_tool_states
from tests.faults.terminal import start_tool_turn


def test_the_tui_exits_cleanly_when_its_terminal_vanishes(tmp_path: Path):
    llm, term = start_tool_turn(tmp_path, controlling=False)
    tools = ToolProcesses(tmp_path)
    try:
        tools.read()
        term.vanish()
        code = term.proc.wait(timeout=120)
        assert code == 0
        tools.wait_gone()
        states = stored_tool_states(tmp_path / "home")
        assert "text:Starting it. " in states, states
        assert "running" not in states and "pending" not in states, states
    finally:
        tools.kill_leftovers()
        term.close()
        llm.__exit__(None, None, None)
