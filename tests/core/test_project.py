"""Projects: the git root of the working folder, or the folder itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agent_tui.core.project import Project, find_git_root


def test_git_root_is_found_from_a_nested_folder(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    nested = tmp_path / "repo" / "a" / "b"
    nested.mkdir(parents=True)
    assert find_git_root(nested) == tmp_path / "repo"
    project = Project.discover(nested)
    assert project.root == tmp_path / "repo"
    assert project.directory == nested
    assert project.is_git


def test_a_real_git_repository(tmp_path: Path) -> None:
    git = subprocess.run(["git", "init", "-q", str(tmp_path / "real")], capture_output=True)
    if git.returncode != 0:
        pytest.skip("git is not available")
    (tmp_path / "real" / "sub").mkdir()
    assert Project.discover(tmp_path / "real" / "sub").root == tmp_path / "real"


def test_a_git_file_marks_a_worktree_root(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    assert find_git_root(tmp_path / "wt") == tmp_path / "wt"


def test_without_git_the_folder_is_the_project(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    project = Project.discover(folder)
    # tmp folders are not inside a git checkout; if this machine's tmp is, the test would say so here.
    assert find_git_root(folder) is None
    assert project.root == folder and project.directory == folder
    assert not project.is_git


def test_project_id_is_stable_per_root_and_shared_by_subfolders(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "x").mkdir()
    (tmp_path / "other").mkdir()
    root = Project.discover(tmp_path / "repo")
    sub = Project.discover(tmp_path / "repo" / "x")
    other = Project.discover(tmp_path / "other")
    assert root.id == sub.id == Project.discover(str(tmp_path / "repo")).id
    assert root.id != other.id
    assert root.id.startswith("prj_")


def test_relative_and_symlinked_paths_resolve_to_the_same_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    expected = Project.discover(tmp_path / "repo").id
    assert Project.discover("repo").id == expected
    assert Project.discover(tmp_path / "link").id == expected
