"""Scenes of undo for snapshot tests and screenshots: an undone turn in the transcript with the changed-files
list under the sessions, and the session's diff. Real snapshot trees (our git repository under the scene's
home), fixed records; registered in `scenes.SCENES`."""

from __future__ import annotations

from typing import Any

from agent_tui.core.models import MessageTime, SnapshotFile, SnapshotPart, TextPart, ToolPart, ToolState, UserMessage
from agent_tui.core.snapshot.changes import summarise
from tests.tui import scenes
from tests.tui.scenes import NOW_MS, Scene, add_exchange, make_app, prepare, service_for, sidebar_sessions


def _undo_session() -> tuple[Any, Any]:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    repo = service.checkpoints.repo
    assert repo is not None
    before = repo.snapshot()
    (project / "src" / "greeting.py").write_text(
        'def greet(name: str) -> str:\n    if not name.strip():\n        raise ValueError("name must not be empty")\n'
        '    return f"Hello, {name}!"\n')
    (project / "tests").mkdir()
    (project / "tests" / "test_greeting.py").write_text(
        "import pytest\n\nfrom src.greeting import greet\n\n\ndef test_empty_name():\n"
        "    with pytest.raises(ValueError):\n        greet(' ')\n")
    after = repo.snapshot()
    edit = ToolPart(session_id=current.id, message_id="", call_id="call_edit", tool="bash", state=ToolState(
        status="completed", title="apply the change", time_start=NOW_MS - 9_000, time_end=NOW_MS - 8_000,
        input={"command": "python scripts/apply.py", "description": "apply the change"}, output="",
    ))
    first = add_exchange(service, current, 1, "Reject empty names in greet()",
                         "Done: `greet` now raises on empty names, with a test.", tools=[edit])
    stats = repo.changed_files(before, after)
    service.storage.put_part(SnapshotPart(
        id="prt_scene01s", session_id=current.id, message_id=first.id, before=before, after=after,
        files=[SnapshotFile(path=s.path, additions=s.additions, deletions=s.deletions, status=s.status)
               for s in stats]))
    add_exchange(service, current, 2, "Also greet in French", "Added `greet_fr`.")
    for message in service.storage.list_messages(current.id):
        if message.info.id.startswith("msg_scene02"):
            message.info.reverted = "undone"
            service.storage.put_message(message.info)
    session = service.get(current.id)
    assert session is not None
    session.changes = summarise(repo, service.storage.list_messages(current.id))
    service.storage.put_session(session)
    return service, current


def undone_turn() -> Scene:
    service, current = _undo_session()
    return Scene(make_app(service, session_id=current.id))


def session_diff() -> Scene:
    service, current = _undo_session()
    return Scene(make_app(service, session_id=current.id), press=("alt+d",))


def undone_shell() -> Scene:
    """A `!command` undone: its turn shows the command as typed (the bash panel is hidden with the turn)."""
    service, current = _undo_session()
    user = UserMessage(id="msg_scene03a", session_id=current.id, reverted="undone",
                       time=MessageTime(created=NOW_MS - 60_000, completed=NOW_MS - 59_000))
    command = "rm -r build && echo 'done' > notes.md"
    tool = ToolPart(id="prt_scene03t", session_id=current.id, message_id=user.id, call_id="shell_1", tool="bash",
                    state=ToolState(status="completed", title=command, input={"command": command}, output="",
                                    metadata={"command": command, "shell": True}, time_start=NOW_MS - 60_000,
                                    time_end=NOW_MS - 59_000))
    note = TextPart(id="prt_scene03n", session_id=current.id, message_id=user.id, synthetic=True,
                    text=f"The user ran this shell command in the project folder:\n$ {command}")
    service.storage.put_all(messages=[user], parts=[tool, note])
    return Scene(make_app(service, session_id=current.id))


UNDO_SCENES = {"undone_turn": undone_turn, "session_diff": session_diff, "undone_shell": undone_shell}
scenes.SCENES.update(UNDO_SCENES)
