"""Where files go: AGENT_TUI_HOME for tests, XDG otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_tui.core import paths


def test_agent_tui_home_puts_everything_under_one_folder(agent_tui_home: Path) -> None:
    assert paths.data_dir() == agent_tui_home / "data"
    assert paths.config_dir() == agent_tui_home / "config"
    assert paths.state_dir() == agent_tui_home / "state"
    assert paths.database_path() == agent_tui_home / "data" / "agent-tui.db"
    assert paths.log_dir() == agent_tui_home / "data" / "log"
    assert paths.tool_output_dir() == agent_tui_home / "data" / "tool-output"


def test_xdg_variables_are_used_without_the_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_TUI_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert paths.data_dir() == tmp_path / "d" / "agent-tui"
    assert paths.config_dir() == tmp_path / "c" / "agent-tui"
    assert paths.state_dir() == tmp_path / "s" / "agent-tui"
    assert paths.database_path() == tmp_path / "d" / "agent-tui" / "agent-tui.db"


def test_defaults_follow_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_TUI_HOME")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.data_dir() == tmp_path / ".local" / "share" / "agent-tui"
    assert paths.config_dir() == tmp_path / ".config" / "agent-tui"
    assert paths.state_dir() == tmp_path / ".local" / "state" / "agent-tui"


def test_an_empty_variable_counts_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_TUI_HOME", "")
    monkeypatch.setenv("XDG_DATA_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.data_dir() == tmp_path / ".local" / "share" / "agent-tui"


def test_ensure_creates_nested_folders_and_is_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"
    assert paths.ensure(target) == target
    assert paths.ensure(target) == target
    assert target.is_dir()


def test_looking_up_paths_creates_nothing(agent_tui_home: Path) -> None:
    paths.data_dir(), paths.config_dir(), paths.state_dir(), paths.database_path(), paths.log_dir()
    assert list(agent_tui_home.iterdir()) == []
