"""Bad local state that used to crash or be silently ignored (issue 10, "Storage and files"): each is a clear
message and exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.support import agent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root


def _refused(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_run_and_sessions_with_a_missing_dir_fail_instead_of_running_elsewhere(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    _refused(agent(project, home, "run", "-d", "MISSING", "hi"), "--dir MISSING: no such folder")
    _refused(agent(project, home, "sessions", "-d", "MISSING", "list"), "no such folder")
    (project / "file.txt").write_text("x")
    _refused(agent(project, home, "run", "-d", "file.txt", "hi"), "not a folder")
    assert not (home / "data" / "agent-tui.db").exists()  # nothing was started


def test_a_config_nested_100000_deep_is_a_clear_error(project: Path, tmp_path: Path):
    (project / "agent-tui.json").write_text('{"instructions": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _refused(agent(project, tmp_path / "home", "sessions", "list"), "agent-tui.json", "nested too deeply")


def test_a_config_path_that_is_a_folder_is_an_error(project: Path, tmp_path: Path):
    (project / "agent-tui.json").mkdir()
    _refused(agent(project, tmp_path / "home", "sessions", "list"), "agent-tui.json: a folder")


def test_a_config_path_that_is_a_dangling_symlink_is_an_error(project: Path, tmp_path: Path):
    (project / "agent-tui.json").symlink_to(tmp_path / "gone.json")
    _refused(agent(project, tmp_path / "home", "sessions", "list"), "gone.json, which does not exist")


def test_a_global_config_that_is_a_folder_or_dangling_link_is_an_error(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "agent-tui.json").mkdir()
    _refused(agent(project, home, "sessions", "list"), "a folder")
    (home / "config" / "agent-tui.json").rmdir()
    (home / "config" / "agent-tui.json").symlink_to(tmp_path / "nowhere")
    _refused(agent(project, home, "sessions", "list"), "does not exist")
