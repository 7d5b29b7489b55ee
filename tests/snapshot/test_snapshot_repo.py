"""The snapshot repository on its own: byte-exact round trips whatever the project's git settings say, the
user's excludes (also from a linked worktree), and a user's hooks and config that must not run or apply."""

from __future__ import annotations

import subprocess
from pathlib import Path

from agent_tui.core.snapshot.git import SnapshotRepo


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def test_files_round_trip_byte_for_byte_despite_attributes_and_filters(tmp_path: Path):
    root = tmp_path / "p"
    root.mkdir()
    git(root, "init", "-q")
    (root / ".gitattributes").write_text("* text=auto eol=crlf\n*.dat filter=nope\n")
    git(root, "config", "filter.nope.clean", "false")  # a user filter that would fail if it ran
    original = {"crlf.txt": b"a\r\nb\r\n", "lf.txt": b"a\nb\n", "mixed.txt": b"a\r\nb\nc\r\r\n",
                "blob.dat": bytes(range(256)), "no-newline.txt": b"end"}
    for name, data in original.items():
        (root / name).write_bytes(data)
    repo = SnapshotRepo(tmp_path / "snap", root, user_git=True)
    before = repo.snapshot()
    for name in original:
        (root / name).write_bytes(b"changed\n")
    repo.restore(before, sorted(original))
    assert {name: (root / name).read_bytes() for name in original} == original
    stats = {s.path: s for s in repo.changed_files(before, repo.snapshot())}
    assert stats == {}


def test_a_linked_worktree_uses_the_main_checkouts_info_exclude(tmp_path: Path):
    main = tmp_path / "main"
    main.mkdir()
    git(main, "init", "-q")
    (main / "a.txt").write_text("a\n")
    git(main, "add", "a.txt")
    git(main, "commit", "-qm", "one")
    (main / ".git" / "info" / "exclude").write_text("local-secret.txt\n")
    linked = tmp_path / "linked"
    git(main, "worktree", "add", "-q", str(linked))
    assert (linked / ".git").is_file()
    (linked / "local-secret.txt").write_text("s\n")
    (linked / "b.txt").write_text("b\n")
    repo = SnapshotRepo(tmp_path / "snap", linked, user_git=True)
    listed = subprocess.run(["git", "--git-dir", str(repo.git_dir), "ls-tree", "-r", "--name-only",
                             repo.snapshot()], capture_output=True, text=True, check=True).stdout.split()
    assert sorted(listed) == ["a.txt", "b.txt"]


def test_user_hooks_and_config_do_not_reach_our_repository(tmp_path: Path, monkeypatch):
    root = tmp_path / "p"
    root.mkdir()
    git(root, "init", "-q")
    marker = tmp_path / "hook-ran"
    hook = root / ".git" / "hooks" / "post-index-change"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[core]\n\tautocrlf = true\n\thooksPath = /nonexistent\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_DIR", str(root / ".git"))  # a stray variable from a git hook or alias
    (root / "w.txt").write_bytes(b"x\r\n")
    repo = SnapshotRepo(tmp_path / "snap", root, user_git=True)
    tree = repo.snapshot()
    (root / "w.txt").write_bytes(b"y\n")
    repo.restore(tree, ["w.txt"])
    assert (root / "w.txt").read_bytes() == b"x\r\n"
    assert not marker.exists()
    assert not (root / ".git" / "index").exists()  # the user's index was never written
