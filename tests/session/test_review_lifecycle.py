"""Runs meeting the service's lifecycle: abort while summarising, delete while running, shutdown while running,
chat after shutdown, two aborts, two sessions at once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from session_tools import EchoTool, SleepTool

from agent_tui.core.models import AssistantMessage, ToolPart
from agent_tui.core.session.service import ServiceClosed
from agent_tui.core.storage import Storage
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.core.tools.task import TaskTool
from agent_tui.testing.fake_llm import Reply, delay, text, tool_call, usage

SMALL_MODEL = {"limit": {"context": 10_000, "output": 1_000}}


async def wait_for_requests(llm, count: int) -> None:
    for _ in range(3000):  # up to 30 s, for a loaded machine
        if len(llm.requests) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the server received {len(llm.requests)} requests, expected {count}")


def rows(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "db" / "agent-tui.db") as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


async def test_abort_while_summarising_stops_the_turn_too(make_service, llm):
    svc = make_service(tools=ToolRegistry([]), provider={
        "fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test", "models": {"m": SMALL_MODEL}},
    })
    session = svc.create(title="fixed")
    llm.add(Reply.of(text("first answer"), usage(8_000, 200)))  # over 90%: the next turn summarises first
    await svc.chat(session.id, "first")
    llm.add(Reply.of(text("Summ", chunks=2), delay(5), text("ary")))
    llm.add(Reply.of(text("an answer nobody asked for")))
    task = asyncio.create_task(svc.chat(session.id, "second"))
    await wait_for_requests(llm, 2)

    assert svc.abort(session.id)
    reply = await asyncio.wait_for(task, 60)

    assert reply.error is not None and reply.error.kind == "aborted"
    assert len(llm.requests) == 2  # the turn after the summary was never asked for
    history = svc.messages(session.id)
    assert history[-2].text() == "second"  # the user's message is kept
    summary = next(m.info for m in history if isinstance(m.info, AssistantMessage) and m.info.summary)
    assert summary.error is not None and summary.error.kind == "aborted"
    assert not svc.is_busy(session.id)


async def test_deleting_a_running_session_leaves_no_rows_behind(make_service, llm, tmp_path):
    llm.add(Reply.of(text("Streaming ", chunks=2), delay(5), text("never")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="doomed")
    task = asyncio.create_task(svc.chat(session.id, "go"))
    await wait_for_requests(llm, 1)
    await asyncio.sleep(0.3)  # some text has streamed and been written

    svc.delete(session.id)
    reply = await asyncio.wait_for(task, 60)

    assert reply.error is not None and reply.error.kind == "aborted"
    assert svc.get(session.id) is None
    assert (rows(tmp_path, "sessions"), rows(tmp_path, "messages"), rows(tmp_path, "parts")) == (0, 0, 0)


async def test_deleting_a_session_whose_sub_agent_runs_leaves_no_rows_behind(make_service, llm, tmp_path):
    sleeper = SleepTool()
    llm.add(Reply.of(tool_call("task", {"description": "nap", "prompt": "sleep"}, id="t1")))
    llm.add(Reply.of(text("Sleeping. "), tool_call("sleep", {"seconds": 30}, id="s1")))
    svc = make_service(tools=ToolRegistry([TaskTool(), sleeper]))
    session = svc.create(title="parent")
    task = asyncio.create_task(svc.chat(session.id, "delegate"))
    await asyncio.wait_for(sleeper.started.wait(), 60)

    svc.delete(session.id)
    await asyncio.wait_for(task, 60)

    assert (rows(tmp_path, "sessions"), rows(tmp_path, "messages"), rows(tmp_path, "parts")) == (0, 0, 0)


async def test_shutdown_while_running_stores_the_end_of_the_turn(make_service, llm):
    llm.add(Reply.of(text("Streaming ", chunks=2), delay(5), text("never")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")
    task = asyncio.create_task(svc.chat(session.id, "go"))
    await wait_for_requests(llm, 1)
    await asyncio.sleep(0.3)

    await svc.shutdown()
    svc.storage.close()  # what the app does right after shutdown
    reply = await asyncio.wait_for(task, 60)  # and the turn did not crash on a closed database

    assert reply.error is not None and reply.error.kind == "aborted"
    reopened = Storage(svc.storage.path)
    try:
        stored = reopened.list_messages(session.id)[-1]
        assert stored.info.time.completed is not None  # not left looking as if it were still running
        assert stored.info.error is not None and stored.info.error.kind == "aborted"
        assert stored.text() == "Streaming"
    finally:
        reopened.close()


async def test_chat_after_shutdown_is_refused_before_anything_is_stored(make_service, llm):
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")
    await svc.shutdown()
    llm.add(Reply.of(text("should not be asked")))
    with pytest.raises(ServiceClosed):
        await svc.chat(session.id, "go")
    assert svc.messages(session.id) == [] and llm.requests == []


async def test_abort_twice_then_chat_again(make_service, llm):
    sleeper = SleepTool()
    llm.add(Reply.of(tool_call("sleep", {"seconds": 30}, id="s1")))
    svc = make_service(tools=ToolRegistry([sleeper]))
    session = svc.create(title="fixed")
    task = asyncio.create_task(svc.chat(session.id, "go"))
    await asyncio.wait_for(sleeper.started.wait(), 60)
    assert svc.abort(session.id)
    svc.abort(session.id)
    reply = await asyncio.wait_for(task, 60)
    assert reply.error is not None and reply.error.kind == "aborted"
    assert svc.abort(session.id) is False
    tool = next(p for p in svc.messages(session.id)[-1].parts if isinstance(p, ToolPart))
    assert tool.state.status == "error"
    llm.add(Reply.of(text("fine")))
    assert (await svc.chat(session.id, "again")).error is None


async def test_two_sessions_chat_at_the_same_time(make_service, llm):
    # Each reply names itself; whichever request arrives first gets the first reply.
    llm.add(Reply.of(text("one ", chunks=2), delay(0.2), text("done")))
    llm.add(Reply.of(text("two ", chunks=2), delay(0.2), text("done")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    a, b = svc.create(title="a"), svc.create(title="b")
    replies = await asyncio.gather(svc.chat(a.id, "a"), svc.chat(b.id, "b"))
    assert all(r.error is None for r in replies)
    answers = sorted(svc.messages(s.id)[-1].text() for s in (a, b))
    assert answers == ["one done", "two done"]
    assert svc.busy_sessions() == []
