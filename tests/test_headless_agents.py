"""`agent-tui run --agent NAME` as a real subprocess against the scripted server."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.test_headless import agent, write_config

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "notes.txt").write_text("the answer is 42\n")
    return root


def test_run_with_the_plan_agent_refuses_an_edit_even_with_yes(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    script = [
        Reply.of(tool_call("read", {"file_path": "notes.txt"}, id="r")),
        Reply.of(tool_call("edit", {"file_path": "notes.txt", "old_string": "42", "new_string": "43"}, id="e")),
        Reply.of(text("I would change 42 to 43 in notes.txt.")),
    ]
    with FakeLLMThread(script) as srv:
        write_config(project, srv.openai_base)
        result = agent(project, home, "run", "--agent", "plan", "--yes", "change the answer to 43")
        requests = list(srv.requests)
    assert result.returncode == 0, result.stderr
    assert "I would change 42 to 43" in result.stdout
    assert "✗ edit: This action is denied for the read-only 'plan' agent" in result.stderr
    edit_result = [m for m in requests[-1].messages if m["role"] == "tool" and m["tool_call_id"] == "e"]
    assert "denied" in edit_result[0]["content"]
    assert (project / "notes.txt").read_text() == "the answer is 42\n"
    listed = agent(project, home, "sessions", "list", "--format", "json")
    assert '"agent":"plan"' in listed.stdout.replace(" ", "")


def test_run_with_an_unknown_agent_exits_2(project: Path, tmp_path: Path):
    with FakeLLMThread([]) as srv:
        write_config(project, srv.openai_base)
        result = agent(project, tmp_path / "home", "run", "--agent", "nope", "hi")
        subagent = agent(project, tmp_path / "home", "run", "--agent", "general", "hi")
        assert not srv.requests
    assert result.returncode == 2
    assert result.stderr.strip() == "agent-tui: No agent named 'nope'. Agents: build, plan, general."
    assert subagent.returncode == 2 and "is a sub-agent" in subagent.stderr


def test_a_bad_agent_file_is_a_warning_not_a_failure(project: Path, tmp_path: Path):
    folder = project / ".agent-tui" / "agents"
    folder.mkdir(parents=True)
    (folder / "bad.md").write_text("---\nmode: sometimes\n---\n")
    with FakeLLMThread([Reply.of(text("fine"))]) as srv:
        write_config(project, srv.openai_base)
        result = agent(project, tmp_path / "home", "run", "hi")
    assert result.returncode == 0 and "fine" in result.stdout
    assert f"warning: {folder / 'bad.md'}:2: key 'mode'" in result.stderr and "skipped" in result.stderr
    assert "Traceback" not in result.stderr
