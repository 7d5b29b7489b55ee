"""Checkpoints, undo, redo and revert-to-message through the service: the scripted model changes real files
with real tools, snapshots go to our own git repository, and the user's git checkout is never touched."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from undo_turns import bash, turn, write

from agent_tui.core.events import SessionUpdated, UndoUnavailable
from agent_tui.core.models import SnapshotPart, UserMessage
from agent_tui.core.snapshot.revert import NothingToRevert, RevertConflict
from agent_tui.testing.fake_llm import Reply, text


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def git_state(root: Path) -> dict[str, str]:
    """Every file of the user's .git (refs, index, stash log, HEAD, config) with its hash, and what git says."""
    files = {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted((root / ".git").rglob("*")) if p.is_file()}
    files["status"] = git(root, "status", "--porcelain=v1", "--untracked-files=all", "--ignored")
    files["stash"] = git(root, "stash", "list")
    files["branches"] = git(root, "branch", "-a", "-v")
    return files


@pytest.fixture
def checkout(project_dir: Path) -> Path:
    """The project as a real checkout: a commit, a second branch, a stash entry, a staged change, an ignore."""
    root = project_dir
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    git(root, "branch", "feature")
    (root / "hello.py").write_text("print('stashed')\n")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "stash", "-q")
    (root / ".gitignore").write_text("build/\n")
    (root / "sub").mkdir()
    (root / "sub" / ".gitignore").write_text("*.log\n")
    (root / ".git" / "info" / "exclude").write_text("secret.txt\n")
    git(root, "add", ".gitignore")
    return root


def texts_sent(request) -> list[str]:
    return [m["content"] for m in request.messages if m["role"] == "user" and isinstance(m["content"], str)]


async def test_checkpoints_leave_the_users_git_byte_identical_and_honour_every_ignore(
    make_service, llm, checkout: Path
):
    before = git_state(checkout)
    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "make changes",
               write("new.txt", "fresh\n", id="w"),
               bash("mkdir -p build sub && echo x > build/out.bin && echo l > sub/run.log && echo s > secret.txt "
                    "&& echo changed > hello.py", id="b"))
    parts = [p for m in svc.messages(session.id) for p in m.parts if isinstance(p, SnapshotPart)]
    assert len(parts) == 1 and parts[0].after is not None
    assert sorted(f.path for f in parts[0].files) == ["hello.py", "new.txt"]  # ignored files are not snapshotted
    await svc.undo(session.id)
    assert not (checkout / "new.txt").exists()
    assert (checkout / "hello.py").read_text() == "print('hello')\n"
    for ignored in ("build/out.bin", "sub/run.log", "secret.txt"):  # undo never touches what it did not record
        assert (checkout / ignored).exists()
        (checkout / ignored).unlink()
    (checkout / "build").rmdir()
    after = git_state(checkout)
    assert after == before


async def test_undo_redo_and_repeated_undo_walk_turn_by_turn(make_service, llm, project_dir: Path):
    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "first", write("a.txt", "one\n", id="w1"),
               bash("printf 'print(1)\\n' > hello.py", id="b1"))
    await turn(svc, llm, session.id, "second", bash("printf 'two\\n' > a.txt && mkdir -p d && echo n > d/n.txt",
                                                    id="b2"))
    await turn(svc, llm, session.id, "just talk")  # a turn without tools: undone like any other

    result = await svc.undo(session.id)
    assert result.files == [] and (project_dir / "a.txt").read_text() == "two\n"
    result = await svc.undo(session.id)
    assert result.files == ["a.txt", "d/n.txt"]
    assert (project_dir / "a.txt").read_text() == "one\n" and not (project_dir / "d").exists()
    result = await svc.undo(session.id)
    assert result.files == ["a.txt", "hello.py"]
    assert not (project_dir / "a.txt").exists() and (project_dir / "hello.py").read_text() == "print('hello')\n"
    with pytest.raises(NothingToRevert):
        await svc.undo(session.id)
    users = [m for m in svc.messages(session.id) if isinstance(m.info, UserMessage)]
    assert [m.info.reverted for m in users] == ["undone"] * 3
    assert svc.changed_files(session.id) == []

    await svc.redo(session.id)
    assert (project_dir / "a.txt").read_text() == "one\n" and (project_dir / "hello.py").read_text() == "print(1)\n"
    await svc.redo(session.id)
    assert (project_dir / "a.txt").read_text() == "two\n" and (project_dir / "d" / "n.txt").read_text() == "n\n"
    assert [(c.path, c.status, c.additions, c.deletions) for c in svc.changed_files(session.id)] == [
        ("a.txt", "added", 1, 0), ("d/n.txt", "added", 1, 0), ("hello.py", "modified", 1, 1)]
    users = [m for m in svc.messages(session.id) if isinstance(m.info, UserMessage)]
    assert [m.info.reverted for m in users] == [None, None, "undone"]


async def test_the_model_no_longer_sees_undone_turns_and_a_new_message_ends_redo(make_service, llm, project_dir):
    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "keep this", write("k.txt", "k\n", id="w1"))
    await turn(svc, llm, session.id, "forget this", write("f.txt", "f\n", id="w2"))
    await svc.undo(session.id)
    await turn(svc, llm, session.id, "next")
    sent = texts_sent(llm.requests[-1])
    assert "keep this" in sent and "next" in sent and "forget this" not in sent
    assert not any("f.txt" in str(m) for m in llm.requests[-1].messages)
    with pytest.raises(NothingToRevert, match="Nothing to redo"):
        await svc.redo(session.id)
    users = [m.info for m in svc.messages(session.id) if isinstance(m.info, UserMessage)]
    assert [u.reverted for u in users] == [None, "discarded", None]
    # Undo now walks past the discarded turn: "next", then "keep this".
    await svc.undo(session.id)
    result = await svc.undo(session.id)
    assert result.files == ["k.txt"] and not (project_dir / "k.txt").exists()


async def test_revert_to_an_earlier_message_undoes_it_and_everything_after(make_service, llm, project_dir):
    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "one", write("x.txt", "1\n", id="w1"))
    await turn(svc, llm, session.id, "two", bash("echo 2 > x.txt && echo y > y.txt", id="b2"))
    await turn(svc, llm, session.id, "three", bash("echo 3 > x.txt && rm hello.py", id="b3"))
    users = [m.info for m in svc.messages(session.id) if isinstance(m.info, UserMessage)]
    assert svc.revert_preview(session.id, users[1].id) == ["hello.py", "x.txt", "y.txt"]
    assert svc.revert_preview(session.id) == ["hello.py", "x.txt"]
    result = await svc.revert_to(session.id, users[1].id)
    assert result.message_ids == [users[1].id, users[2].id]
    assert (project_dir / "x.txt").read_text() == "1\n" and not (project_dir / "y.txt").exists()
    assert (project_dir / "hello.py").read_text() == "print('hello')\n"
    with pytest.raises(NothingToRevert):
        await svc.revert_to(session.id, "msg_nope")
    await svc.redo(session.id)  # redo brings back "two" first
    assert (project_dir / "x.txt").read_text() == "2\n" and (project_dir / "hello.py").exists()


async def test_a_file_changed_by_hand_is_never_overwritten_silently(make_service, llm, project_dir: Path):
    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "edit", bash("echo agent > hello.py && echo b > b.txt", id="b1"))
    (project_dir / "hello.py").write_text("my own work\n")
    with pytest.raises(RevertConflict) as caught:
        await svc.undo(session.id)
    assert caught.value.files == ["hello.py"] and "--force" in str(caught.value)
    assert (project_dir / "hello.py").read_text() == "my own work\n" and (project_dir / "b.txt").exists()
    assert all(m.info.reverted is None for m in svc.messages(session.id))
    await svc.undo(session.id, force=True)
    assert (project_dir / "hello.py").read_text() == "print('hello')\n" and not (project_dir / "b.txt").exists()
    # Redo checks too: a file written where the turn had created one is the user's.
    (project_dir / "b.txt").write_text("mine\n")
    with pytest.raises(RevertConflict) as caught:
        await svc.redo(session.id)
    assert caught.value.files == ["b.txt"] and (project_dir / "b.txt").read_text() == "mine\n"


async def test_undo_in_a_folder_that_is_not_a_git_checkout(make_service, llm, tmp_path: Path, monkeypatch):
    plain = tmp_path / "project"
    shutil.rmtree(plain / ".git")
    (plain / "node_modules" / "lib").mkdir(parents=True)
    svc = make_service(permission_mode="approve")
    assert not svc.project.is_git
    session = svc.create()
    await turn(svc, llm, session.id, "go", bash("echo changed > hello.py && echo dep > node_modules/lib/x.js",
                                                id="b"))
    assert [c.path for c in svc.changed_files(session.id)] == ["hello.py"]
    await svc.undo(session.id)
    assert (plain / "hello.py").read_text() == "print('hello')\n"
    assert (plain / "node_modules" / "lib" / "x.js").exists()


async def test_changed_files_are_live_and_survive_a_restart(make_service, llm, project_dir: Path):
    svc = make_service(permission_mode="approve")
    seen: list[list[str]] = []
    svc.bus.subscribe(SessionUpdated, lambda e: seen.append([c.path for c in e.session.changes]))
    session = svc.create()
    llm.add(Reply.of(write("one.txt", "a\nb\n", id="w1")))
    llm.add(Reply.of(bash("printf 'x\\n' >> hello.py", id="b1")))
    llm.add(Reply.of(text("Done.")))
    await svc.chat(session.id, "two steps")
    assert ["one.txt"] in seen and ["hello.py", "one.txt"] in seen  # updated after each step, mid-turn
    await svc.shutdown()
    svc.storage.close()

    again = make_service()
    changes = again.changed_files(session.id)
    assert [(c.path, c.additions, c.deletions) for c in changes] == [("hello.py", 1, 0), ("one.txt", 2, 0)]
    diff = await again.session_diff(session.id)
    assert "+++ b/one.txt" in diff and "+a\n+b\n" in diff and "+x\n" in diff
    only = await again.session_diff(session.id, "hello.py")
    assert "hello.py" in only and "one.txt" not in only


async def test_without_git_undo_is_off_said_once_and_turns_still_work(
    make_service, llm, tmp_path: Path, monkeypatch, project_dir: Path
):
    empty = tmp_path / "no-git-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    svc = make_service(permission_mode="approve")
    notices: list[UndoUnavailable] = []
    svc.bus.subscribe(UndoUnavailable, notices.append)
    session = svc.create()
    await turn(svc, llm, session.id, "first", write("a.txt", "1\n", id="w1"))
    await turn(svc, llm, session.id, "second", write("b.txt", "2\n", id="w2"))
    assert (project_dir / "a.txt").exists() and (project_dir / "b.txt").exists()
    assert len(notices) == 1 and "git" in notices[0].reason and "Undo is off" in notices[0].reason
    result = await svc.undo(session.id)
    assert result.note is not None and "not restored" in result.note
    assert (project_dir / "b.txt").exists()  # nothing to restore from; the conversation still went back
    assert svc.changed_files(session.id) == []


async def test_undo_is_refused_while_the_session_runs(make_service, llm):
    import asyncio

    from agent_tui.core.events import SessionBusy
    from agent_tui.core.session.service import BusyError
    from agent_tui.testing.fake_llm import delay

    svc = make_service(permission_mode="approve")
    session = svc.create()
    busy = asyncio.Event()
    svc.bus.subscribe(SessionBusy, lambda event: busy.set())
    llm.add(Reply.of(delay(0.5), text("slow")))
    task = asyncio.ensure_future(svc.chat(session.id, "hi"))
    await busy.wait()
    with pytest.raises(BusyError):
        await svc.undo(session.id)
    await task


async def test_a_snapshot_that_takes_too_long_turns_undo_off_once(make_service, llm, project_dir: Path):
    svc = make_service(permission_mode="approve")
    assert svc.checkpoints.repo is not None
    svc.checkpoints.repo.timeout = 1e-6  # as on a huge folder: git add cannot finish in time
    notices: list[UndoUnavailable] = []
    svc.bus.subscribe(UndoUnavailable, notices.append)
    session = svc.create()
    await turn(svc, llm, session.id, "first", bash("echo 1 > a.txt", id="b1"))
    await turn(svc, llm, session.id, "second", bash("echo 2 > b.txt", id="b2"))
    assert (project_dir / "a.txt").exists() and (project_dir / "b.txt").exists()
    assert len(notices) == 1 and "took longer than" in notices[0].reason
    assert not (svc.checkpoints.repo.git_dir / "index.lock").exists()
    result = await svc.undo(session.id)
    assert result.note is not None and "took longer than" in result.note


async def test_revert_points_list_every_live_turn_newest_first(make_service, llm):
    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "one", write("x.txt", "1\n", id="w1"))
    await turn(svc, llm, session.id, "two", write("y.txt", "2\n", id="w2"))
    users = [m.info.id for m in svc.messages(session.id) if isinstance(m.info, UserMessage)]
    assert svc.revert_points(session.id) == [(users[1], ["y.txt"]), (users[0], ["x.txt", "y.txt"])]


async def test_a_step_cut_off_by_a_crash_is_undone_after_confirming_its_files(make_service, llm, project_dir):
    from agent_tui.core.models import AssistantMessage, TextPart
    from agent_tui.core.models import UserMessage as User

    svc = make_service(permission_mode="approve")
    session = svc.create()
    await turn(svc, llm, session.id, "kept", write("kept.txt", "k\n", id="w1"))
    # A turn whose process died mid-bash: the checkpoint before it exists, the one after never came.
    before = await svc.checkpoints.snapshot(session.id)
    user = User(session_id=session.id)
    reply = AssistantMessage(session_id=session.id, provider="fake", model="m", parent_id=user.id)
    svc.storage.put_all(messages=[user, reply], parts=[
        TextPart(session_id=session.id, message_id=user.id, text="crashing turn"),
        SnapshotPart(session_id=session.id, message_id=reply.id, before=before)])
    (project_dir / "hello.py").write_text("half-written\n")
    (project_dir / "partial.txt").write_text("p\n")
    with pytest.raises(RevertConflict) as caught:
        await svc.undo(session.id)
    assert caught.value.files == ["hello.py", "partial.txt"]
    with pytest.raises(RevertConflict):  # still asked: nothing was recorded by the refused attempt
        await svc.undo(session.id)
    result = await svc.undo(session.id, force=True)
    assert result.files == ["hello.py", "partial.txt"]
    assert (project_dir / "hello.py").read_text() == "print('hello')\n" and not (project_dir / "partial.txt").exists()
    assert (project_dir / "kept.txt").exists()
    await svc.redo(session.id)
    assert (project_dir / "hello.py").read_text() == "half-written\n"
