"""Session management through the service: list, rename, delete, fork, todos, model choice."""

from __future__ import annotations

import asyncio

import pytest

from agent_tui.core.events import SessionDeleted, SessionUpdated
from agent_tui.core.llm.catalog import ModelError
from agent_tui.core.models import Todo
from agent_tui.core.session.service import SessionNotFound
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import Reply, text


async def test_create_list_rename_delete(make_service, llm):
    svc = make_service(tools=ToolRegistry([]))
    events = []
    svc.bus.subscribe(SessionUpdated, events.append)
    svc.bus.subscribe(SessionDeleted, events.append)
    a = svc.create(title="alpha")
    b = svc.create(title="beta")
    assert [s.id for s in svc.list()] == [b.id, a.id]
    await asyncio.sleep(0.005)  # updated times are milliseconds
    svc.rename(a.id, "alpha renamed")
    assert svc.list()[0].title == "alpha renamed"  # most recently updated first
    llm.add(Reply.of(text("hi")))
    await svc.chat(b.id, "hello")
    assert svc.search("hello")[0].id == b.id
    svc.delete(b.id)
    assert svc.get(b.id) is None and svc.messages(b.id) == []
    assert [s.id for s in svc.list()] == [a.id]
    assert any(isinstance(e, SessionDeleted) for e in events)
    with pytest.raises(SessionNotFound):
        svc.rename("ses_missing", "x")


async def test_fork_copies_history_up_to_a_message(make_service, llm):
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create(title="original")
    llm.add(Reply.of(text("one")))
    llm.add(Reply.of(text("two")))
    await svc.chat(session.id, "first")
    await svc.chat(session.id, "second")
    history = svc.messages(session.id)
    fork = svc.fork(session.id, history[1].info.id)
    copied = svc.messages(fork.id)
    assert [m.text() for m in copied] == ["first", "one"]
    assert all(m.info.session_id == fork.id for m in copied)
    assert {m.info.id for m in copied}.isdisjoint({m.info.id for m in history})
    assert fork.forked_from == session.id
    assert len(svc.messages(session.id)) == 4  # the original is untouched
    llm.add(Reply.of(text("forked reply")))
    await svc.chat(fork.id, "continue the fork")
    assert "first" in str(llm.requests[-1].messages) and "second" not in str(llm.requests[-1].messages)


async def test_todos_are_stored_with_the_session(make_service):
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create()
    svc.set_todos(session.id, [Todo(id="1", content="write tests", status="in_progress")])
    assert svc.get_todos(session.id)[0].content == "write tests"
    assert svc.get(session.id).todos[0].status == "in_progress"


async def test_unknown_model_is_refused_before_anything_is_stored(make_service):
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create()
    with pytest.raises(ModelError, match="Unknown provider 'nowhere'"):
        await svc.chat(session.id, "hi", model="nowhere/x")
    assert svc.messages(session.id) == []
    assert not svc.is_busy(session.id)


async def test_model_is_remembered_per_session(make_service, llm):
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create(title="x")
    llm.add(Reply.of(text("hi")))
    await svc.chat(session.id, "hi", model="fake/m")
    assert svc.get(session.id).model == "fake/m"
    assert svc.model_spec(session.id) == "fake/m"


async def test_initialize_asks_for_agents_md_with_the_write_tool(make_service, llm, project_dir):
    from agent_tui.testing.fake_llm import tool_call

    llm.add(Reply.of(tool_call("write", {"file_path": "NEW_AGENTS.md", "content": "# Rules\n"}, id="w")))
    llm.add(Reply.of(text("Created it.")))
    svc = make_service()
    session = svc.create(title="init")
    reply = await svc.initialize(session.id)
    assert reply.error is None
    assert "AGENTS.md" in llm.requests[0].messages[-1]["content"]
    assert (project_dir / "NEW_AGENTS.md").read_text() == "# Rules\n"


async def test_a_turn_left_open_by_a_dead_process_is_closed_as_interrupted(make_service):
    import socket

    from agent_tui.core.models import AssistantMessage, TextPart, ToolPart, ToolState, UserMessage
    from agent_tui.core.session.recovery import OWNER

    svc = make_service(tools=ToolRegistry([]))
    session = svc.create(title="crashed")
    user = UserMessage(session_id=session.id)
    dead = AssistantMessage(session_id=session.id, provider="fake", model="m",
                            owner=f"{socket.gethostname()}:999999999")  # no such pid
    alive = AssistantMessage(session_id=session.id, provider="fake", model="m", owner=OWNER)
    svc.storage.put_all(messages=[user, dead], parts=[
        TextPart(session_id=session.id, message_id=dead.id, text="half a repl"),
        ToolPart(session_id=session.id, message_id=dead.id, call_id="c", tool="bash",
                 state=ToolState(status="running")),
    ])
    history = svc.messages(session.id)
    closed = history[-1]
    assert closed.info.error is not None and closed.info.time.completed is not None
    assert closed.text() == "half a repl"
    assert next(p for p in closed.parts if isinstance(p, ToolPart)).state.status == "error"
    # A turn owned by a live process (this one, or another host) is left alone.
    other = svc.create(title="running elsewhere")
    alive.session_id = other.id
    svc.storage.put_message(alive)
    assert svc.messages(other.id)[-1].info.time.completed is None
