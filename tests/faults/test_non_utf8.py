"""File names and contents that are not UTF-8 (issue 10): ls, glob, grep and read work on them and show them
with escapes or replacement characters; no tool part is left "running"; nothing is printed on stderr but the
tool lines of `run`."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.support import agent, write_config


def test_ls_glob_grep_read_on_non_utf8_names_and_contents(tmp_path: Path):
    project = tmp_path / "proj"
    project.mkdir()
    bad_name = os.fsencode(project) + b"/caf\xe9-\xff.txt"  # Latin-1 é and a lone 0xff: not UTF-8
    with open(bad_name, "wb") as f:
        f.write(b"needle in latin-1: caf\xe9\nsecond line \xff\xfe\n")
    (project / "good.txt").write_text("needle here too\n")
    shown = "caf\\xe9-\\xff.txt"  # how the name is shown to the model: each undecodable byte as \xNN
    script = [
        Reply.of(
            tool_call("ls", {}, id="ls"),
            tool_call("glob", {"pattern": "*.txt"}, id="glob"),
            tool_call("grep", {"pattern": "needle"}, id="grep"),
            tool_call("read", {"file_path": shown}, id="read"),  # the model sends back what it was shown
        ),
        Reply.of(text("done")),
    ]
    home = tmp_path / "home"
    with FakeLLMThread(script) as llm:
        write_config(project, llm.openai_base)
        result = agent(project, home, "run", "--yes", "look")
        results = {m["tool_call_id"]: m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"}
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr.replace("✗", ""), result.stderr
    assert set(results) == {"ls", "glob", "grep", "read"}
    for call_id in ("ls", "glob", "grep"):
        assert shown in results[call_id] and "good.txt" in results[call_id], (call_id, results[call_id])
    assert "needle in latin-1: caf\ufffd" in results["read"]  # contents: replacement characters
    db = sqlite3.connect(home / "data" / "agent-tui.db")
    states = db.execute("SELECT json_extract(data, '$.state.status') FROM parts "
                        "WHERE json_extract(data, '$.type') = 'tool'").fetchall()
    db.close()
    assert sorted(s[0] for s in states) == ["completed"] * 4
