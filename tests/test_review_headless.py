"""`agent-tui run` with unusual input and abrupt ends, as real subprocesses against the scripted server."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent_tui.core.project import Project
from agent_tui.core.storage import Storage
from agent_tui.testing.fake_llm import FakeLLMThread, Reply, delay, error, text, tool_call

pytestmark = pytest.mark.slow

CONFIG_KEY = "zebra-quux-4242-config"  # shaped like no known key, so only exact scrubbing can hide it
ENV_KEY = "sk-env-walrus-4242-environment"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "notes.txt").write_text("the answer is 42\n")
    return root


def write_config(project: Path, base: str, api_key: str = "sk-test") -> None:
    # Titles go to a closed port and fall back, so that they never take a reply meant for the turn.
    config = {
        "model": "fake/m",
        "small_model": "titles/m",
        "provider": {
            "fake": {"api": "openai", "base_url": base, "api_key": api_key, "models": {"m": {}}},
            "titles": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": api_key, "models": {"m": {}}},
        },
    }
    (project / "agent-tui.json").write_text(json.dumps(config))


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    # PYTHONPATH: this checkout's agent_tui, not whatever an earlier test left in os.environ.
    env.update(extra, AGENT_TUI_HOME=str(home), PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    return env


def agent(project: Path, env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent_tui.cli", *args], cwd=cwd or project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_missing_or_folder_file_attachment_fails_before_the_model_is_asked(project: Path, tmp_path: Path):
    env = environment(tmp_path / "home")
    with FakeLLMThread([Reply.of(text("should not be asked"))]) as srv:
        write_config(project, srv.openai_base)
        missing = agent(project, env, "run", "--file", "missing.txt", "look")
        folder = agent(project, env, "run", "--file", str(tmp_path), "look")
        requests = list(srv.requests)
    assert missing.returncode == 2 and "--file missing.txt: no such file" in missing.stderr
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    assert requests == []


def test_a_file_attachment_is_relative_to_where_the_command_runs(project: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.txt").write_text("text from the current folder\n")
    env = environment(tmp_path / "home")
    with FakeLLMThread([Reply.of(text("ok"))]) as srv:
        write_config(project, srv.openai_base)
        result = agent(project, env, "run", "--dir", str(project), "--file", "mine.txt", "look", cwd=elsewhere)
        requests = list(srv.requests)
    assert result.returncode == 0, result.stderr
    assert "text from the current folder" in requests[0].messages[-1]["content"]


def test_api_keys_never_reach_the_log_database_exports_or_json_events(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    env = environment(home, OPENAI_API_KEY=ENV_KEY)
    echoed = {"error": {"message": f"Incorrect API key provided: {CONFIG_KEY} / {ENV_KEY}", "type": "auth"}}
    script = [
        Reply.of(error(401, echoed)),
        Reply.of(text("Reading. "), tool_call("read", {"file_path": "missing.txt"}, id="c1")),
        Reply.of(error(400, {"error": {"message": f"bad request from {CONFIG_KEY}"}})),  # 400: not retried
    ]
    with FakeLLMThread(script) as srv:
        write_config(project, srv.openai_base, api_key=CONFIG_KEY)
        outputs = [agent(project, env, "run", "--format", "json", "hello") for _ in range(2)]
    assert [o.returncode for o in outputs] == [1, 1]
    session_id = json.loads(agent(project, env, "sessions", "list", "--format", "json").stdout.splitlines()[0])["id"]
    for fmt in ("md", "json"):
        outputs.append(agent(project, env, "sessions", "export", session_id, "--format", fmt))
    assert "Reading." in outputs[-1].stdout  # the export holds the conversation
    texts = [o.stdout + o.stderr for o in outputs]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()]
    assert any("Authentication failed" in t for t in texts) and any("bad request from" in t for t in texts)
    for key in (CONFIG_KEY, ENV_KEY):
        assert not [t[max(0, t.find(key) - 200):t.find(key) + 40] for t in texts if key in t]


def test_kill_9_mid_stream_keeps_the_streamed_text_and_a_usable_database(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    env = environment(home)
    words = "".join(f"word{i} " for i in range(10))
    script = [Reply.of(text(words, chunks=10), delay(60), text("never"), chunk_delay=0.05),
              Reply.of(text("continued"))]
    with FakeLLMThread(script) as srv:
        write_config(project, srv.openai_base)
        proc = subprocess.Popen([sys.executable, "-m", "agent_tui.cli", "run", "go"], cwd=project, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            shown = b""
            while b"word9" not in shown:
                ready, _, _ = select.select([proc.stdout], [], [], 60)
                chunk = os.read(proc.stdout.fileno(), 1000) if ready else b""
                assert chunk, f"the run printed {shown!r} and then nothing"
                shown += chunk
            # Storage may lag the screen by one coalescing interval (0.25 s); give it that and a margin.
            time.sleep(0.75)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        storage = Storage(home / "data" / "agent-tui.db")  # opens: nothing left half-written
        try:
            (session,) = storage.list_sessions(Project.discover(project).id)
            stored = storage.list_messages(session.id)[-1].text()
        finally:
            storage.close()
        assert stored == words.strip() or stored == words
        again = agent(project, env, "run", "--continue", "more")
        requests = list(srv.requests)
    assert again.returncode == 0, again.stderr
    assert "continued" in again.stdout
    assert any(m["role"] == "assistant" and "word9" in (m["content"] or "") for m in requests[-1].messages)
    storage = Storage(home / "data" / "agent-tui.db")
    try:
        killed = storage.list_messages(session.id)[1].info
    finally:
        storage.close()
    # The next run closed the turn the killed process left open, keeping its text.
    assert killed.time.completed is not None and killed.error is not None and "Interrupted" in killed.error.message

