"""Scenes of the daily features for snapshot tests and screenshots: searching the conversation, selecting a code
block to copy, a `!command` in the transcript, and custom commands in the `/` menu. Fixed records; registered in
`scenes.SCENES`."""

from __future__ import annotations

from agent_tui.core.models import MessageTime, TextPart, ToolPart, ToolState, UserMessage
from tests.tui import scenes
from tests.tui.scenes import NOW_MS, Scene, add_exchange, make_app, prepare, service_for, sidebar_sessions

CODE_REPLY = (
    "## The change\n\n`greet` now rejects empty names:\n\n```python\ndef greet(name: str) -> str:\n"
    "    if not name.strip():\n        raise ValueError(\"name must not be empty\")\n"
    "    return f\"Hello, {name}!\"\n```\n\nThe new test covers blank names too."
)


def _conversation() -> tuple[object, object]:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    add_exchange(service, current, 1, "Where are names validated?",
                 "Nowhere yet: `greet` accepts any name, even an empty one.")
    add_exchange(service, current, 2, "Reject empty names in greet()", CODE_REPLY)
    return service, current


def conversation_search() -> Scene:
    service, current = _conversation()
    return Scene(make_app(service, session_id=current.id), press=("ctrl+f", "n", "a", "m", "e", "s"))


def message_selection() -> Scene:
    service, current = _conversation()
    return Scene(make_app(service, session_id=current.id), press=("alt+up",))


def shell_command() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    at = NOW_MS - 3 * 60_000
    user = UserMessage(id="msg_scene00a", session_id=current.id, time=MessageTime(created=at, completed=at + 900))
    command = "git status --short && pytest -q tests"
    output = " M src/greeting.py\n?? tests/test_greeting.py\n.." + " " * 30 + "[100%]\n2 passed in 0.04s"
    bash = ToolPart(id="prt_scene00a", session_id=current.id, message_id=user.id, call_id="shell_scene",
                    tool="bash", state=ToolState(
                        status="completed", input={"command": command}, title=command, output=output,
                        metadata={"command": command, "output": output, "exit_code": 0, "shell": True},
                        time_start=at, time_end=at + 900))
    note = TextPart(id="prt_scene00b", session_id=current.id, message_id=user.id, synthetic=True,
                    text=f"The user ran this shell command in the project folder:\n$ {command}\n{output}")
    service.storage.put_all(messages=[user], parts=[bash, note])
    add_exchange(service, current, 1, "Do the tests cover blank names?",
                 "Yes: the run above includes `test_blank_name`, and both tests pass.")
    return Scene(make_app(service, session_id=current.id))


def custom_commands() -> Scene:
    project = prepare()
    folder = project / ".agent-tui" / "commands"
    folder.mkdir(parents=True)
    (folder / "review.md").write_text("---\ndescription: Review the changes for bugs and missing tests\n---\n"
                                      "Review $ARGUMENTS for bugs.\n")
    (folder / "release-notes.md").write_text("# Write release notes from the git log since the last tag\n")
    service = service_for(project)
    sidebar_sessions(service)
    return Scene(make_app(service), press=("slash", "r", "e"))


scenes.SCENES.update({
    "conversation_search": conversation_search,
    "message_selection": message_selection,
    "shell_command": shell_command,
    "custom_commands": custom_commands,
})
FEATURE_SCENES = ("conversation_search", "message_selection", "shell_command", "custom_commands")
