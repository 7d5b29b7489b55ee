"""`agent-tui run` may finish its turn before the background title job: the session still gets a title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, delay, text, usage
from tests.faults.support import agent, write_config

pytestmark = pytest.mark.slow


def test_run_that_ends_before_its_title_reply_stores_the_first_line_as_title(tmp_path: Path) -> None:
    project, home = tmp_path / "proj", tmp_path / "home"
    project.mkdir()
    turn = [Reply.of(text("Done."), usage(10, 2))]
    slow_title = [Reply.of(delay(120), text("A generated title"))]  # still waiting when the run exits
    with FakeLLMThread(turn) as srv, FakeLLMThread(slow_title) as titles:
        write_config(project, srv.openai_base)
        config = json.loads((project / "agent-tui.json").read_text())
        config["provider"]["titles"]["base_url"] = titles.openai_base
        (project / "agent-tui.json").write_text(json.dumps(config))

        done = agent(project, home, "run", "Fix the flaky parser\nin tokenizer.py")
        assert done.returncode == 0, done.stderr
        assert len(titles.requests) == 1  # the title job had started: it was cut short, not skipped

        listed = agent(project, home, "sessions", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    sessions = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [s["title"] for s in sessions] == ["Fix the flaky parser"]
