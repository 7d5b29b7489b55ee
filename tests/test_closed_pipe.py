"""Every command that writes to stdout exits quietly when the reader goes away (`agent-tui sessions list | head -1`).

Real processes and real pipes: the reading end is closed before the command writes, or `head` closes it after
one line of a long listing. Issue 12.8: each ended in a BrokenPipeError traceback.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from agent_tui.core.models import MessageWithParts, TextPart, UserMessage
from agent_tui.core.session.service import SessionService
from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text
from tests.test_headless import write_config

pytestmark = pytest.mark.slow

SIGPIPE_STATUS = 141  # what a shell reports for a command stopped by SIGPIPE, as `yes | head -1` is


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root


@pytest.fixture
def session_id(project: Path, subprocess_env: dict[str, str]) -> str:
    """A few hundred sessions (a listing longer than a pipe's buffer) and one with a long message."""
    service = SessionService.open(project)
    first = service.create(title="With a long message")
    message = UserMessage(session_id=first.id)
    service.storage.put_all(messages=[message], parts=[TextPart(session_id=first.id, message_id=message.id,
                                                                 text="line of text\n" * 20_000)])
    assert isinstance(service.messages(first.id)[0], MessageWithParts)
    service.storage.put_all(sessions=[service.create(title=f"Session number {n}") for n in range(400)])
    service.storage.close()
    return first.id


def run_into_closed_pipe(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
    try:
        result = subprocess.run([sys.executable, "-m", "agent_tui.cli", *args], cwd=cwd, env=env, stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write_end)
    return result.returncode, result.stderr


COMMANDS = [
    ["--version"],
    ["--help"],
    ["sessions", "--help"],
    ["sessions", "list"],
    ["sessions", "list", "--format", "json"],
    ["sessions", "show", "{session}"],
    ["sessions", "export", "{session}"],
    ["mcp", "list"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_command_writing_to_a_closed_pipe_exits_quietly(command, project, session_id, subprocess_env):
    args = [a.replace("{session}", session_id) for a in command]
    status, stderr = run_into_closed_pipe(args, project, subprocess_env)
    assert stderr == ""
    # argparse swallows the failed write of --help and --version itself and exits 0; the rest say SIGPIPE.
    assert status == (0 if "--help" in args or "--version" in args else SIGPIPE_STATUS)


def test_run_writing_to_a_closed_pipe_exits_quietly_and_keeps_the_turn(project, subprocess_env):
    with FakeLLMThread([Reply.of(text("A reply nobody reads. " * 500, chunks=50))]) as srv:
        write_config(project, srv.openai_base)
        status, stderr = run_into_closed_pipe(["run", "hello"], project, subprocess_env)
    assert stderr == ""
    assert status in (0, SIGPIPE_STATUS)  # the turn itself succeeded; only its printing had nowhere to go
    service = SessionService.open(project)
    try:
        [session] = service.list()
        assert service.messages(session.id)[-1].text().startswith("A reply nobody reads.")
    finally:
        service.storage.close()


def test_sessions_list_into_head_prints_one_line(project, session_id, subprocess_env):
    command = f"{shlex.quote(sys.executable)} -m agent_tui.cli sessions list | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=project, env=subprocess_env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1
    assert result.returncode in (0, SIGPIPE_STATUS)
