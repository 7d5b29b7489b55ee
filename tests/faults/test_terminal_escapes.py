"""Stored tool output and replies never drive the terminal (issue 10, "terminal escape injection"): `sessions
show`, `sessions list` and `run` print control characters escaped. The TUI side is
`tests/tui/test_terminal_escapes.py`; both use `agent_tui.core.terminal_text.escape_controls`.
"""

from __future__ import annotations

from pathlib import Path

from agent_tui.core.terminal_text import escape_controls, has_controls
from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.support import agent, write_config

HOSTILE = r"printf 'before\033]52;c;cHduZWQ=\007\033[2J\033]0;owned\007\000after\n'"
RAW = ("\x1b", "\x07", "\x00", "\x9b")


def test_escape_controls_keeps_text_and_escapes_every_control():
    assert escape_controls("plain\ttext\n") == "plain\ttext\n"
    assert escape_controls("a\x1b[2Jb\x07\x00\x7f\x9b\u202e\r\n") == "a\\x1b[2Jb\\x07\\x00\\x7f\\x9b\\u202e\n"
    assert not has_controls(escape_controls("".join(map(chr, range(0x20))) + "\x7f\x85\x9f"))


def test_sessions_show_list_and_run_print_controls_escaped(tmp_path: Path):
    project = tmp_path / "proj"
    project.mkdir()
    home = tmp_path / "home"
    script = [Reply.of(tool_call("bash", {"command": HOSTILE}, id="b1")),
              Reply.of(text("Done \x1b[31mred\x1b[0m\x07"))]
    with FakeLLMThread(script) as llm:
        write_config(project, llm.openai_base)
        run = agent(project, home, "run", "--yes", "go")
    assert run.returncode == 0, run.stderr
    assert not any(c in run.stdout + run.stderr for c in RAW)
    assert "Done \\x1b[31mred" in run.stdout
    listed = agent(project, home, "sessions", "list")
    session_id = listed.stdout.split()[0]
    shown = agent(project, home, "sessions", "show", session_id)
    assert shown.returncode == 0, shown.stderr
    assert not any(c in shown.stdout for c in RAW)
    assert "before\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J" in shown.stdout and "\\x00after" in shown.stdout
    # The export to a file keeps the bytes as they were: it is data, not terminal output.
    exported = agent(project, home, "sessions", "export", session_id, "-o", str(tmp_path / "s.md"))
    assert exported.returncode == 0 and "\x1b]52" in (tmp_path / "s.md").read_text()
