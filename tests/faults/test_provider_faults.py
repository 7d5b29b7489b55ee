"""Provider faults from issue 10: a stream that stalls, a stream of garbage, and retries the user can see.

The stall and garbage cases run `agent-tui run` as a real child process against the scripted server; the
retry notes are checked through `SessionService` events (the TUI side is in tests/tui/test_app_provider_faults.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.events import MessageUpdated
from agent_tui.core.models import AssistantMessage, TextPart
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing.fake_llm import FakeLLM, FakeLLMThread, Reply, delay, error, malformed, text
from tests.faults.support import agent, write_config

# The server holds the stream open far longer than the idle limit the tests configure (IDLE): a run that
# waited for it would be stopped by the subprocess guard below and fail, not pass slowly.
STALL = 120.0
GUARD = 90.0  # a hang guard for a loaded machine, not a timing assertion
# Short, but not so short that a loaded machine (or litellm's one-time setup in the child's first call) looks like
# a stall of the attempt that should succeed.
IDLE = 3


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def stored_reply(project: Path, home: Path) -> str:
    """The assistant text stored in the child's database (read directly: the child has exited)."""
    storage = Storage(home / "data" / "agent-tui.db")
    try:
        return "".join(
            p.text
            for session in storage.list_sessions(Project.discover(project).id)
            for m in storage.list_messages(session.id)
            if m.info.role == "assistant"
            for p in m.parts
            if isinstance(p, TextPart)
        )
    finally:
        storage.close()


def test_a_stream_that_stalls_mid_reply_fails_as_stopped_sending_and_keeps_what_arrived(project, tmp_path):
    home = tmp_path / "home"
    reply = Reply.of(text("The first half of the answer", chunks=3), delay(STALL), text(" never sent"))
    with FakeLLMThread([reply]) as srv:
        write_config(project, srv.openai_base, provider_timeout={"idle": IDLE})
        result = agent(project, home, "run", "explain", timeout=GUARD)
        assert len(srv.requests) == 1  # output had started: not retried
    assert result.returncode == 1
    assert "The first half of the answer" in result.stdout
    assert f"stopped sending: no data for {IDLE} s" in result.stderr
    assert "Traceback" not in result.stderr
    shown = stored_reply(project, home)
    assert "The first half of the answer" in shown and "never sent" not in shown


def test_a_server_that_never_answers_is_a_stall_and_is_retried(project, tmp_path):
    home = tmp_path / "home"
    with FakeLLMThread([Reply.of(delay(STALL)), Reply.of(text("Second attempt answered."))]) as srv:
        write_config(project, srv.openai_base, provider_timeout={"idle": IDLE})
        result = agent(project, home, "run", "hello", timeout=GUARD)
        assert len(srv.requests) == 2
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Second attempt answered."


@pytest.mark.parametrize("after_output", [False, True])
def test_malformed_sse_is_reported_as_a_malformed_stream_and_not_retried(project, tmp_path, after_output):
    home = tmp_path / "home"
    steps = [text("Partial answer", chunks=2)] if after_output else []
    script = [Reply.of(*steps, malformed(), text(" lost")), *(Reply.of(text("unused")) for _ in range(6))]
    with FakeLLMThread(script) as srv:
        write_config(project, srv.openai_base)
        result = agent(project, home, "run", "hello", timeout=GUARD)
        assert len(srv.requests) == 1  # it used to be retried six times, then blamed on the network
    assert result.returncode == 1
    assert "sent a malformed stream" in result.stderr
    assert "Check the network" not in result.stderr
    if after_output:
        assert "Partial answer" in stored_reply(project, home)


async def test_a_retry_is_noted_on_the_reply_until_the_next_attempt_answers(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    async with FakeLLM([Reply.of(error(429, retry_after=0, message="slow down")), Reply.of(text("Answered."))]) as llm:
        service = SessionService(
            project=Project.discover(root),
            config=Config.model_validate({
                "model": "fake/m",
                "provider": {"fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test",
                                      "models": {"m": {}}}},
            }),
            storage=Storage(tmp_path / "db" / "agent-tui.db"),
            bus=Bus(),
        )
        notes: list[object] = []
        service.bus.subscribe(
            MessageUpdated,
            lambda e: notes.append(e.message.retry) if isinstance(e.message, AssistantMessage) else None,
        )
        try:
            session = service.create(title="fixed")
            reply = await service.chat(session.id, "hi")
            stored = service.messages(session.id)
        finally:
            await service.shutdown()
            service.storage.close()
    assert reply.error is None and reply.retry is None
    retries = [n for n in notes if n is not None]
    assert len(retries) == 1
    note = retries[0]
    assert (note.attempt, note.max_attempts, note.delay) == (1, 6, 0)  # type: ignore[attr-defined]
    assert "slow down" in note.reason  # type: ignore[attr-defined]
    assert notes.index(note) < len(notes) - 1 and notes[notes.index(note) + 1] is None  # cleared by the answer
    assert [p.text for m in stored for p in m.parts if isinstance(p, TextPart) and m.info.role == "assistant"] == [
        "Answered."
    ]
