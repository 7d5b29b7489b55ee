"""The system prompt's parts and the conversion of stored history into provider messages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.models import (
    AssistantMessage,
    MessageWithParts,
    StepStartPart,
    TextPart,
    ToolPart,
    ToolState,
    UserMessage,
)
from agent_tui.core.project import Project
from agent_tui.core.session.history import PRUNED_NOTE, to_llm_messages
from agent_tui.core.session.prompt import build_system_prompt, project_listing


def test_listing_without_git_skips_heavy_folders_and_is_capped(tmp_path: Path):
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "index.js").write_text("x")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.py").write_text("x")
    (tmp_path / "src").mkdir()
    for i in range(250):
        (tmp_path / "src" / f"m{i:03}.py").write_text("")
    listing = project_listing(Project.discover(tmp_path))
    assert "node_modules" not in listing and ".venv" not in listing
    assert "src/m000.py" in listing
    assert listing.count("\n") <= 203 and "more files not listed" in listing


def test_git_listing_uses_tracked_and_unignored_files(tmp_path: Path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("secret.txt\n")
    (tmp_path / "secret.txt").write_text("x")
    (tmp_path / "kept.py").write_text("x")
    listing = project_listing(Project.discover(tmp_path))
    assert "kept.py" in listing and "secret.txt" not in listing


def test_context_files_from_subfolder_to_root_global_and_configured(tmp_path: Path):
    root = tmp_path / "repo"
    sub = root / "pkg" / "inner"
    sub.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "AGENTS.md").write_text("root rules")
    (root / "pkg" / "CLAUDE.md").write_text("pkg rules")
    (tmp_path / "AGENTS.md").write_text("outside the repo: never read")
    (root / "docs").mkdir()
    (root / "docs" / "style.md").write_text("style rules")
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "AGENTS.md").write_text("global rules")
    blocks = build_system_prompt(Project.discover(sub), "anthropic", ["docs/*.md", "missing.md"])
    text = "\n".join(blocks)
    for rules in ("root rules", "pkg rules", "global rules", "style rules"):
        assert rules in text
    assert "never read" not in text
    assert "Notes for this model" in blocks[0]  # the anthropic family prompt


def _assistant(session: str, parts_text: str = "", tools: list[ToolPart] | None = None, **kw) -> MessageWithParts:
    info = AssistantMessage(session_id=session, provider="p", model="m", **kw)
    parts = [StepStartPart(session_id=session, message_id=info.id)]
    if parts_text:
        parts.append(TextPart(session_id=session, message_id=info.id, text=parts_text))
    for tool in tools or []:
        tool.message_id = info.id
        parts.append(tool)
    return MessageWithParts(info=info, parts=parts)


def _user(session: str, text: str) -> MessageWithParts:
    info = UserMessage(session_id=session)
    return MessageWithParts(info=info, parts=[TextPart(session_id=session, message_id=info.id, text=text)])


def test_old_tool_outputs_are_pruned_but_new_ones_kept():
    big = "x" * 100_000  # ~25k tokens each
    tools = [ToolPart(session_id="s", message_id="m", call_id=f"c{i}", tool="read",
                      state=ToolState(status="completed", input={}, output=big + str(i))) for i in range(3)]
    history = [_user("s", "go"), _assistant("s", tools=tools)]
    sent = to_llm_messages(history, ["sys"])
    outputs = {m["tool_call_id"]: m["content"] for m in sent if m["role"] == "tool"}
    assert outputs["c2"].endswith("2") and outputs["c1"] == PRUNED_NOTE and outputs["c0"] == PRUNED_NOTE


def test_empty_and_summary_messages():
    history = [
        _user("s", "old question"),
        _assistant("s", "old answer"),
        _assistant("s", "the summary", summary=True),
        _user("s", "new question"),
        _assistant("s", ""),  # an aborted turn with nothing in it
        _user("s", "again"),
    ]
    sent = to_llm_messages(history, ["sys"])
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user", "user"]
    assert "the summary" in sent[1]["content"] and "old answer" not in str(sent)
