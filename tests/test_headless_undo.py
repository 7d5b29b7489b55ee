"""`agent-tui sessions undo|redo|diff` as real subprocesses, after a real `agent-tui run` changed files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.test_headless import write_config

pytestmark = pytest.mark.slow


def test_undo_redo_and_diff_from_the_command_line(tmp_path: Path, subprocess_env: dict[str, str]):
    def agent(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**subprocess_env, "AGENT_TUI_HOME": str(home)}
        return subprocess.run([sys.executable, "-m", "agent_tui.cli", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=120)

    project = tmp_path / "proj"
    project.mkdir()
    (project / "notes.txt").write_text("old line\n")
    home = tmp_path / "home"
    script = [
        Reply.of(tool_call("bash", {"command": "echo new line > notes.txt && echo made > made.txt",
                                    "description": "edit"}, id="c1")),
        Reply.of(text("Changed.")),
    ]
    with FakeLLMThread(script) as srv:
        write_config(project, srv.openai_base)
        ran = agent(project, home, "run", "--yes", "change the notes")
    assert ran.returncode == 0, ran.stderr
    session_id = agent(project, home, "sessions", "list").stdout.split()[0]

    diff = agent(project, home, "sessions", "diff", session_id)
    assert diff.returncode == 0, diff.stderr
    assert "-old line\n+new line\n" in diff.stdout and "+++ b/made.txt" in diff.stdout
    stat = agent(project, home, "sessions", "diff", session_id, "--stat")
    assert "+1 -1  notes.txt" in stat.stdout and "made.txt (added)" in stat.stdout

    (project / "notes.txt").write_text("my edit\n")
    refused = agent(project, home, "sessions", "undo", session_id)
    assert refused.returncode == 1
    assert "notes.txt" in refused.stderr and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert (project / "notes.txt").read_text() == "my edit\n"

    undone = agent(project, home, "sessions", "undo", session_id, "--force")
    assert undone.returncode == 0, undone.stderr
    assert "Undid the turn “change the notes”" in undone.stdout and "made.txt, notes.txt" in undone.stdout
    assert (project / "notes.txt").read_text() == "old line\n" and not (project / "made.txt").exists()
    assert agent(project, home, "sessions", "diff", session_id).stdout == ""
    again = agent(project, home, "sessions", "undo", session_id)
    assert again.returncode == 1 and "Nothing to undo" in again.stderr

    redone = agent(project, home, "sessions", "redo", session_id)
    assert redone.returncode == 0, redone.stderr
    assert (project / "notes.txt").read_text() == "new line\n" and (project / "made.txt").exists()

    missing = agent(project, home, "sessions", "undo", "ses_nope")
    assert missing.returncode == 2 and "no session" in missing.stderr
    usage = agent(project, home, "sessions", "undo")
    assert usage.returncode == 2


def test_run_says_once_on_stderr_that_undo_is_off():
    import io

    from agent_tui.core.events import UndoUnavailable
    from agent_tui.headless import _Printer

    out, err = io.StringIO(), io.StringIO()
    printer = _Printer("ses_x", "text", out, err)
    printer(UndoUnavailable(session_id="ses_x", reason="Undo is off: git was not found on PATH."))
    assert err.getvalue() == "! Undo is off: git was not found on PATH.\n" and out.getvalue() == ""
