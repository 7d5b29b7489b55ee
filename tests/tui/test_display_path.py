"""Paths on screen are shown under the home folder as `~/...` (the welcome view, the first-run dialog)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_tui.tui.format import display_path


def test_paths_under_home_are_shown_with_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert display_path(tmp_path / "code" / "proj") == "~/code/proj"
    assert display_path(tmp_path) == "~"
    assert display_path("/elsewhere/proj") == "/elsewhere/proj"
    assert display_path(f"{tmp_path}-other/proj") == f"{tmp_path}-other/proj"  # a sibling is not under home


def test_a_root_home_abbreviates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/")
    assert display_path("/srv/proj") == "/srv/proj"
