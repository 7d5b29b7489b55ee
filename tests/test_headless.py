"""`agent-tui run` and `agent-tui sessions` as real subprocesses against the scripted server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, error, text, tool_call, usage

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "notes.txt").write_text("the answer is 42\n")
    return root


def write_config(project: Path, base: str, title_base: str | None = None) -> None:
    """Titles go to their own server (or, without one, to a closed port and fall back), so that they never
    take a reply meant for the turn."""
    config = {
        "model": "fake/m",
        "small_model": "titles/m",
        "provider": {
            "fake": {"api": "openai", "base_url": base, "api_key": "sk-test",
                     "models": {"m": {"cost": {"input": 1, "output": 2}}}},
            "titles": {"api": "openai", "base_url": title_base or "http://127.0.0.1:9/v1", "api_key": "sk-test",
                       "models": {"m": {}}},
        },
    }
    (project / "agent-tui.json").write_text("// test config\n" + json.dumps(config))

CHECKOUT = str(Path(__file__).resolve().parent.parent)


def agent(project: Path, home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["AGENT_TUI_HOME"] = str(home)
    env["PYTHONPATH"] = CHECKOUT  # this checkout's agent_tui, not whatever an earlier test left in os.environ
    return subprocess.run(
        [sys.executable, "-m", "agent_tui.cli", *args], cwd=project, env=env, capture_output=True, text=True,
        timeout=120, input=stdin,
    )


def test_run_streams_text_runs_tools_and_stores_the_session(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    script = [
        Reply.of(text("Let me read it. "), tool_call("read", {"file_path": "notes.txt"}, id="c1"), usage(100, 10)),
        Reply.of(text("The answer is 42."), usage(120, 5)),
    ]
    with FakeLLMThread(script) as srv, FakeLLMThread([Reply.of(text("Notes"))]) as titles:
        write_config(project, srv.openai_base, titles.openai_base)
        result = agent(project, home, "run", "what", "is", "the", "answer?")
        requests = list(srv.requests)
    assert result.returncode == 0, result.stderr
    assert "Let me read it." in result.stdout and "The answer is 42." in result.stdout
    assert "→ read" in result.stderr
    tool_results = [m for r in requests for m in r.messages if m["role"] == "tool"]
    assert tool_results and "the answer is 42" in tool_results[0]["content"]
    listed = agent(project, home, "sessions", "list")
    assert listed.returncode == 0 and "$0.0002" in listed.stdout and "Notes" in listed.stdout
    session_id = listed.stdout.split()[0]
    shown = agent(project, home, "sessions", "show", session_id)
    assert "what is the answer?" in shown.stdout and "The answer is 42." in shown.stdout
    exported = agent(project, home, "sessions", "export", session_id, "--format", "json")
    data = json.loads(exported.stdout)
    assert data["session"]["id"] == session_id and len(data["messages"]) == 2
    assert "sk-test" not in exported.stdout
    deleted = agent(project, home, "sessions", "delete", session_id)
    assert deleted.returncode == 0
    assert "No sessions" in agent(project, home, "sessions", "list").stdout


def test_run_json_format_and_continue(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    with FakeLLMThread([Reply.of(text("first")), Reply.of(text("second"))]) as srv:
        write_config(project, srv.openai_base)
        first = agent(project, home, "run", "--format", "json", "hello")
        second = agent(project, home, "run", "--continue", "again")
        requests = list(srv.requests)
    assert first.returncode == 0, first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    kinds = {e["type"] for e in events}
    assert {"message.updated", "part.updated", "part.delta", "session.idle"} <= kinds
    assert "".join(e["delta"] for e in events if e["type"] == "part.delta") == "first"
    assert second.returncode == 0 and second.stdout.strip() == "second"
    # --continue sent the earlier exchange along.
    assert "first" in str(requests[-1].messages) and "hello" in str(requests[-1].messages)


def test_run_exits_non_zero_with_a_clear_message_on_auth_failure(project: Path, tmp_path: Path):
    with FakeLLMThread([Reply.of(error(401)), Reply.of(error(401))]) as srv:
        write_config(project, srv.openai_base)
        result = agent(project, tmp_path / "home", "run", "--session", "ses_nope", "hi")
        assert result.returncode == 2 and "no session ses_nope" in result.stderr
        result = agent(project, tmp_path / "home", "run", "hi")
    assert result.returncode == 1
    assert "Authentication failed" in result.stderr or "auth" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_bad_config_is_reported_with_file_and_line(project: Path, tmp_path: Path):
    (project / "agent-tui.json").write_text('{\n  "model": "x/y",\n  oops\n}\n')
    result = agent(project, tmp_path / "home", "run", "hi")
    assert result.returncode == 2
    assert "agent-tui.json:3:" in result.stderr and "Traceback" not in result.stderr


def test_no_provider_gives_instructions(project: Path, tmp_path: Path):
    result = agent(project, tmp_path / "home", "run", "hi")
    assert result.returncode == 2
    assert "ANTHROPIC_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_version_and_help(tmp_path: Path, project: Path):
    assert agent(project, tmp_path, "--version").stdout.startswith("agent-tui ")
    assert "run" in agent(project, tmp_path, "--help").stdout
    assert "--format" in agent(project, tmp_path, "run", "--help").stdout


def test_openai_base_url_and_key_from_the_environment_need_no_config(project: Path, tmp_path: Path):
    with FakeLLMThread([Reply.of(text("from env")), Reply.of(text("title"))]) as srv:
        env_extra = {"OPENAI_BASE_URL": srv.openai_base, "OPENAI_API_KEY": "sk-env-key"}
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update(env_extra, AGENT_TUI_HOME=str(tmp_path / "home"), PYTHONPATH=CHECKOUT)
        result = subprocess.run(
            [sys.executable, "-m", "agent_tui.cli", "run", "--model", "openai/my-local-model", "hi"],
            cwd=project, env=env, capture_output=True, text=True, timeout=120,
        )
        models = {r.model for r in srv.requests}
    assert result.returncode == 0, result.stderr
    assert "from env" in result.stdout or "title" in result.stdout
    assert models == {"my-local-model"}
    log_text = "".join(p.read_text() for p in (tmp_path / "home").rglob("*.log"))
    assert "sk-env-key" not in log_text


def test_run_waits_for_mcp_servers_before_the_first_step(project: Path, tmp_path: Path):
    server_script = Path(__file__).parent / "mcp" / "servers" / "tools_server.py"
    script = [Reply.of(tool_call("tools_add", {"a": 40, "b": 2}, id="m1")), Reply.of(text("It is 42."))]
    with FakeLLMThread(script) as srv:
        write_config(project, srv.openai_base)
        config = json.loads((project / "agent-tui.json").read_text().split("\n", 1)[1])
        config["mcp"] = {"tools": {"type": "local", "command": [sys.executable, str(server_script), "stdio"]}}
        (project / "agent-tui.json").write_text(json.dumps(config))
        result = agent(project, tmp_path / "home", "run", "add 40 and 2")
        requests = list(srv.requests)
    assert result.returncode == 0, result.stderr
    assert "tools_add" in [t["function"]["name"] for t in requests[0].tools]
    assert [m["content"] for m in requests[1].messages if m["role"] == "tool"] == ["42"]
    assert "It is 42." in result.stdout
