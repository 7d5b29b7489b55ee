"""Unit tests of the TUI's pure helpers: command parsing, fuzzy filtering, prompt history, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_tui.core.config import Config
from agent_tui.core.jsonc import loads
from agent_tui.tui import commands
from agent_tui.tui import format as fmt
from agent_tui.tui.dialogs.first_run import LOCAL_EXAMPLE
from agent_tui.tui.fuzzy import fuzzy_filter
from agent_tui.tui.project_files import list_project_files
from agent_tui.tui.state import PromptHistory
from agent_tui.tui.widgets.prompt import attached_files


def test_parse_slash_commands() -> None:
    assert commands.parse("hello") is None
    assert commands.parse("/usr/bin/env is odd") is None  # a path, not a command
    assert commands.parse("//not a command") is None
    command, argument = commands.parse("/rename  A new title ")
    assert command.name == "rename" and argument == "A new title"
    assert commands.parse("/HELP")[0].name == "help"
    with pytest.raises(commands.UnknownCommand, match=r"Unknown command /nope.*/models"):
        commands.parse("/nope")


def test_every_command_has_an_app_action() -> None:
    from agent_tui.tui.app import AgentApp

    for command in commands.COMMANDS:
        assert callable(getattr(AgentApp, f"action_{command.action}", None)), command.name
    assert [c.name for c in commands.complete("co")] == ["compact", "copy", "cost"]


def test_fuzzy_filter_prefers_file_names_and_keeps_order_for_ties() -> None:
    files = ["agent_tui/core/session/service.py", "docs/services.md", "agent_tui/tui/app.py", "tests/test_x.py"]
    assert fuzzy_filter("srvpy", files)[0] == "agent_tui/core/session/service.py"
    assert fuzzy_filter("app", files) == ["agent_tui/tui/app.py"]
    assert fuzzy_filter("", files) == files
    assert fuzzy_filter("zzz", files) == []


def test_history_browses_back_and_restores_the_draft(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    history = PromptHistory.load(path)
    history.add("one")
    history.add("two")
    history.add("two")  # repeated: kept once
    assert history.previous("draft") == "two"
    assert history.previous("two") == "one"
    assert history.previous("one") is None
    assert history.next() == "two"
    assert history.next() == "draft"
    assert history.next() is None
    assert json.loads(path.read_text()) == ["one", "two"]


def test_unreadable_history_is_ignored_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text("{not json")
    assert PromptHistory.load(path).entries == []
    assert path.read_text() == "{not json"


def test_formats() -> None:
    now = 10_000_000_000
    assert fmt.relative_time(now - 5_000, now) == "now"
    assert fmt.relative_time(now - 3 * 60_000, now) == "3m ago"
    assert fmt.relative_time(now - 5 * 3_600_000, now) == "5h ago"
    assert fmt.tokens(999) == "999" and fmt.tokens(12_000) == "12k" and fmt.tokens(1_500_000) == "1.5M"
    assert fmt.cost(0) == "$0.00" and fmt.cost(0.004) == "<$0.01" and fmt.cost(1234.5) == "$1,234.50"


def test_attached_files_are_the_existing_at_paths(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    (tmp_path / "dir").mkdir()
    found = attached_files("see @a.py and @missing.py and @dir and mail@example.com @a.py", tmp_path)
    assert found == [(tmp_path / "a.py").resolve()]


def test_project_files_without_git_skip_hidden_and_dependency_folders(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text("")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "y").write_text("")
    assert list_project_files(tmp_path, use_git=False) == ["src/main.py"]


def test_first_run_example_is_a_valid_config() -> None:
    config = Config.model_validate(loads(LOCAL_EXAMPLE))
    assert config.provider["local"].base_url == "http://localhost:11434/v1"
    assert config.model == "local/qwen2.5-coder:7b"
