"""The model repeating the same failing tool call three times in a row stops the turn (issue 9): the user sees
why (the message's error and a SessionError event), the model gets a note in the last call's result, and no
further request is made."""

from __future__ import annotations

from agent_tui.core.events import SessionError
from agent_tui.core.models import ToolPart
from agent_tui.testing.fake_llm import Reply, text, tool_call


def failing(id: str, path: str = "missing.txt") -> object:
    return tool_call("edit", {"file_path": path, "old_string": "a", "new_string": "b"}, id=id)


async def test_three_identical_failures_stop_the_turn(make_service, llm):
    for n in range(3):
        llm.add(Reply.of(failing(f"c{n}")))
    llm.add(Reply.of(text("never asked for")))
    svc = make_service()
    errors: list[SessionError] = []
    svc.bus.subscribe(SessionError, errors.append)
    session = svc.create(title="loop")
    reply = await svc.chat(session.id, "edit it")
    assert len(llm.requests) == 3
    assert reply.error is not None and "same failing 'edit' call 3 times" in reply.error.message
    assert errors and errors[-1].error.message == reply.error.message
    parts = [p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart)]
    assert [p.state.status for p in parts] == ["error"] * 3
    assert "failed 3 times in a row" in (parts[-1].state.error or "")
    assert "File not found" in (parts[-1].state.error or "")
    # The note reaches the model with the next message.
    llm.add(Reply.of(text("sorry")))
    await svc.chat(session.id, "what happened?")
    tool_results = [m["content"] for m in llm.requests[-1].messages if m["role"] == "tool"]
    assert "failed 3 times in a row" in tool_results[-1]


async def test_a_different_call_or_a_success_in_between_resets_the_count(make_service, llm, project_dir):
    llm.add(Reply.of(failing("a1")))
    llm.add(Reply.of(failing("a2")))
    llm.add(Reply.of(failing("b", path="other.txt")))  # different arguments
    llm.add(Reply.of(failing("a3")))
    llm.add(Reply.of(tool_call("read", {"file_path": "hello.py"}, id="ok")))  # a success
    llm.add(Reply.of(failing("a4")))
    llm.add(Reply.of(failing("a5")))
    llm.add(Reply.of(text("giving up")))
    svc = make_service()
    session = svc.create(title="no loop")
    reply = await svc.chat(session.id, "edit it")
    assert reply.error is None, reply.error
    assert len(llm.requests) == 8
