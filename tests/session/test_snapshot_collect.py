"""Garbage collection of the snapshot repository (core/snapshot/collect.py), with real git and real files:
a deleted session's and a discarded turn's objects are freed, the turns still kept undo and redo after it, and
the service starts a collection after a turn once one is due."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from undo_turns import turn, write

from agent_tui.core.private_files import write_private_text
from agent_tui.core.snapshot.collect import COLLECT_EVERY, STAMP, collect, collect_if_due, due
from agent_tui.core.snapshot.git import SnapshotError, SnapshotRepo
from agent_tui.core.storage import Storage


def blob_id(content: str) -> str:
    return subprocess.run(["git", "hash-object", "--stdin"], input=content, capture_output=True, text=True,
                          check=True).stdout.strip()


def has_object(git_dir: Path, object_id: str) -> bool:
    env = {**os.environ, "GIT_DIR": str(git_dir)}
    return subprocess.run(["git", "cat-file", "-e", object_id], env=env, capture_output=True).returncode == 0


def age_objects(git_dir: Path, seconds: float) -> None:
    """Make every object look written `seconds` ago (the collector keeps younger ones: a run may be using them)."""
    old = time.time() - seconds
    for path in (git_dir / "objects").rglob("*"):
        os.utime(path, (old, old))


async def test_deleting_a_session_frees_its_objects_and_kept_turns_still_undo(make_service, llm, project_dir):
    svc = make_service(permission_mode="approve")
    repo = svc.checkpoints.repo
    gone = svc.create()
    await turn(svc, llm, gone.id, "write", write("a.txt", "only in the deleted session\n", id="a"))
    (project_dir / "a.txt").unlink()  # by hand: no later snapshot holds it

    kept = svc.create()
    await turn(svc, llm, kept.id, "one", write("b.txt", "kept one\n", id="b1"))
    await turn(svc, llm, kept.id, "two", write("b.txt", "kept two\n", id="b2"))
    await turn(svc, llm, kept.id, "three", write("d.txt", "discarded turn\n", id="d"))
    await svc.undo(kept.id)
    await turn(svc, llm, kept.id, "instead", write("n.txt", "new\n", id="n"))  # "three" can never come back
    await turn(svc, llm, kept.id, "four", write("b.txt", "kept four\n", id="b4"))
    await svc.undo(kept.id)  # "four" stays redoable
    deleted_blob, discarded_blob = blob_id("only in the deleted session\n"), blob_id("discarded turn\n")
    assert has_object(repo.git_dir, deleted_blob) and has_object(repo.git_dir, discarded_blob)

    svc.delete(gone.id)
    age_objects(repo.git_dir, 2 * 3600)
    await asyncio.to_thread(collect, repo, svc.storage, svc.project.id)

    assert not has_object(repo.git_dir, deleted_blob) and not has_object(repo.git_dir, discarded_blob)
    for content in ("kept one\n", "kept two\n", "kept four\n", "new\n"):
        assert has_object(repo.git_dir, blob_id(content))
    await svc.redo(kept.id)
    assert (project_dir / "b.txt").read_text() == "kept four\n"
    for expected in ("kept two\n", "kept two\n", "kept one\n"):  # undo "four", "instead", "two"
        await svc.undo(kept.id)
        assert (project_dir / "b.txt").read_text() == expected
    assert not (project_dir / "n.txt").exists()
    await svc.undo(kept.id)
    assert not (project_dir / "b.txt").exists()


async def test_young_objects_survive_a_collection(make_service, llm, project_dir):
    """A snapshot another process has just taken, whose part it has not stored yet, is never deleted."""
    svc = make_service(permission_mode="approve")
    repo = svc.checkpoints.repo
    session = svc.create()
    await turn(svc, llm, session.id, "write", write("w.txt", "written\n", id="w"))
    (project_dir / "fresh.txt").write_text("in flight\n")
    in_flight = await asyncio.to_thread(repo.snapshot)  # recorded nowhere
    (project_dir / "fresh.txt").unlink()
    await asyncio.to_thread(repo.snapshot)
    await asyncio.to_thread(collect, repo, svc.storage, svc.project.id)
    assert has_object(repo.git_dir, in_flight) and has_object(repo.git_dir, blob_id("in flight\n"))


def test_a_collection_is_due_once_a_day(tmp_path: Path):
    assert not due(tmp_path / "missing")
    assert not due(tmp_path)  # never collected: the clock starts now
    assert (tmp_path / STAMP).exists()
    assert not due(tmp_path, time.time() + COLLECT_EVERY / 2)
    assert due(tmp_path, time.time() + COLLECT_EVERY + 1)


async def test_the_service_collects_after_a_turn_when_due(make_service, llm, project_dir):
    svc = make_service(permission_mode="approve")
    repo = svc.checkpoints.repo
    session = svc.create()
    await turn(svc, llm, session.id, "write", write("x.txt", "x\n", id="x"))
    stamp = repo.git_dir / STAMP
    for _ in range(3000):  # the first check after a turn starts the clock
        if stamp.exists():
            break
        await asyncio.sleep(0.02)
    old = time.time() - COLLECT_EVERY - 60
    os.utime(stamp, (old, old))
    await turn(svc, llm, session.id, "again", write("x.txt", "y\n", id="y"))
    for _ in range(3000):  # the collection runs in the background after the turn; up to 60 s on a loaded machine
        if stamp.stat().st_mtime > old + 60 and not list(repo.git_dir.glob("objects/??")):
            break
        await asyncio.sleep(0.02)
    assert stamp.stat().st_mtime > old + 60
    assert list((repo.git_dir / "objects" / "pack").glob("*.pack"))  # gc packed the repository
    await svc.undo(session.id)
    assert (project_dir / "x.txt").read_text() == "x\n"


async def test_closing_the_app_stops_a_running_collection(tmp_path: Path, monkeypatch):
    """A gc still running when the app closes is killed with its children, so closing never waits for it."""
    tools = tmp_path / "bin"
    tools.mkdir()
    pid_file = tmp_path / "gc.pid"
    real_git = shutil.which("git")
    (tools / "git").write_text(  # the real git, except that gc hangs until killed
        f'#!/bin/sh\nif [ "$1" = gc ]; then echo $$ > {pid_file}; exec sleep 600; fi\nexec {real_git} "$@"\n')
    (tools / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    repo = SnapshotRepo(tmp_path / "snapshots", project, user_git=False)
    repo.snapshot()
    old = time.time() - COLLECT_EVERY - 60
    write_private_text(repo.git_dir / STAMP, "")
    os.utime(repo.git_dir / STAMP, (old, old))
    storage = Storage(tmp_path / "db" / "agent-tui.db")
    try:
        task = asyncio.ensure_future(collect_if_due(repo, storage, "prj_none", lambda: []))
        for _ in range(3000):  # up to 60 s
            if pid_file.exists() and pid_file.read_text().strip():
                break
            await asyncio.sleep(0.02)
        gc_pid = int(pid_file.read_text())
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for _ in range(3000):
            try:
                os.kill(gc_pid, 0)
            except ProcessLookupError:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the gc survived the cancellation")
        assert due(repo.git_dir)  # not done: the next turn tries again
    finally:
        storage.close()


def test_a_collection_stopped_before_its_gc_starts_runs_none(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    repo = SnapshotRepo(tmp_path / "snapshots", project, user_git=False)
    tree = repo.snapshot()
    stop = threading.Event()
    stop.set()
    with pytest.raises(SnapshotError, match="not started"):
        repo.collect([tree], expire="now", stop=stop)
    assert not list((repo.git_dir / "objects" / "pack").glob("*.pack"))  # nothing was packed
