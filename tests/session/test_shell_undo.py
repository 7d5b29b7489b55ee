"""A `!command` is checkpointed like a model's tool call: undo puts back what it changed (content and mode),
redo reapplies it, and turns before and after it keep their own files. Real git, real files, real bash."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from agent_tui.core.models import SnapshotPart, UserMessage
from agent_tui.testing.fake_llm import Reply, text, tool_call

SHELL = "rm run.sh && echo shell > hello.py && printf 'made\\n' > made.txt && chmod 600 hello.py"


def files(root: Path) -> dict[str, tuple[bytes, bool]]:
    """Every file outside .git with its bytes and whether it is executable (the mode git records)."""
    return {str(p.relative_to(root)): (p.read_bytes(), bool(p.stat().st_mode & stat.S_IXUSR))
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture(params=["git", "plain"])
def project(request, project_dir: Path) -> Path:
    if request.param == "plain":
        shutil.rmtree(project_dir / ".git")
    script = project_dir / "run.sh"
    script.write_text("#!/bin/sh\necho run\n")
    script.chmod(0o755)
    return project_dir


async def test_undo_and_redo_of_a_shell_command_restore_its_files(make_service, project: Path):
    svc = make_service()
    assert svc.project.is_git == (project / ".git").exists()
    session = svc.create()
    original = files(project)
    await svc.shell(session.id, SHELL)
    changed = files(project)
    assert "run.sh" not in changed and changed["made.txt"] == (b"made\n", False)
    checkpoint = next(p for m in svc.messages(session.id) for p in m.parts if isinstance(p, SnapshotPart))
    assert sorted(f.path for f in checkpoint.files) == ["hello.py", "made.txt", "run.sh"]
    assert [c.path for c in svc.changed_files(session.id)] == ["hello.py", "made.txt", "run.sh"]

    result = await svc.undo(session.id)
    assert result.files == ["hello.py", "made.txt", "run.sh"] and result.note is None
    assert files(project) == original
    assert (project / "run.sh").stat().st_mode & 0o777 == 0o755
    assert svc.changed_files(session.id) == []

    await svc.redo(session.id)
    assert files(project) == changed


async def test_shell_commands_between_turns_are_undone_in_their_own_place(make_service, llm, project: Path):
    svc = make_service(permission_mode="approve")
    session = svc.create()
    llm.add(Reply.of(tool_call("write", {"file_path": "a.txt", "content": "agent\n"}, id="w")))
    llm.add(Reply.of(text("Done.")))
    await svc.chat(session.id, "write a.txt")
    await svc.shell(session.id, "echo shell >> a.txt && rm hello.py")
    llm.add(Reply.of(tool_call("bash", {"command": "echo late > late.txt", "description": "x"}, id="b")))
    llm.add(Reply.of(text("Done.")))
    await svc.chat(session.id, "one more")

    assert (await svc.undo(session.id)).files == ["late.txt"]  # the last agent turn only
    assert (project / "a.txt").read_text() == "agent\nshell\n" and not (project / "hello.py").exists()
    assert (await svc.undo(session.id)).files == ["a.txt", "hello.py"]  # the shell command
    assert (project / "a.txt").read_text() == "agent\n" and (project / "hello.py").read_text() == "print('hello')\n"
    assert (await svc.undo(session.id)).files == ["a.txt"]  # the first agent turn, without a conflict
    assert not (project / "a.txt").exists()
    users = [m.info for m in svc.messages(session.id) if isinstance(m.info, UserMessage)]
    assert [u.reverted for u in users] == ["undone"] * 3

    await svc.redo(session.id)
    await svc.redo(session.id)
    assert (project / "a.txt").read_text() == "agent\nshell\n" and not (project / "hello.py").exists()


async def test_an_aborted_shell_command_keeps_what_it_changed_undoable(make_service, project: Path):
    import asyncio

    svc = make_service()
    session = svc.create()
    task = asyncio.ensure_future(svc.shell(session.id, "echo half > half.txt; sleep 60"))
    for _ in range(6000):  # up to 60 s on a loaded machine
        if (project / "half.txt").exists():
            break
        await asyncio.sleep(0.01)
    assert svc.abort(session.id)
    await asyncio.wait_for(task, 60)
    assert (await svc.undo(session.id)).files == ["half.txt"]
    assert not (project / "half.txt").exists()
