"""Provider faults and aborts, each against the scripted server through litellm."""

from __future__ import annotations

import asyncio
import logging

import pytest
from session_tools import EchoTool, SleepTool

from agent_tui.core.events import SessionError
from agent_tui.core.models import TextPart, ToolPart
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import Reply, delay, drop, error, text, tool_call, usage


def stored_text(svc, session_id: str) -> str:
    return "".join(p.text for m in svc.messages(session_id) for p in m.parts
                   if isinstance(p, TextPart) and m.info.role == "assistant")


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_401_is_one_clear_message_without_retry(make_service, llm, protocol):
    llm.add(Reply.of(error(401, body={"error": {"message": "invalid x-api-key", "type": "authentication_error"}})))
    svc = make_service(protocol, tools=ToolRegistry([]), provider={
        "fake": {"api": protocol, "base_url": llm.openai_base if protocol == "openai" else llm.anthropic_base,
                 "api_key_env": "FAKE_PROVIDER_KEY", "models": {"m": {}}},
    }, small_model=None)
    import os
    os.environ["FAKE_PROVIDER_KEY"] = "sk-secret-value-123"
    try:
        errors: list[SessionError] = []
        svc.bus.subscribe(SessionError, errors.append)
        reply = await svc.chat(svc.create(title="fixed").id, "hi")
    finally:
        del os.environ["FAKE_PROVIDER_KEY"]
    assert reply.error is not None and reply.error.kind == "auth"
    assert "fake" in reply.error.message and "FAKE_PROVIDER_KEY" in reply.error.message
    assert "sk-secret-value-123" not in reply.error.message
    assert len([r for r in llm.requests if r.model == "m"]) == 1  # no retry
    assert errors and errors[0].error.kind == "auth"


async def test_429_then_success_is_one_reply_and_the_retry_is_logged(make_service, llm, caplog):
    llm.add(Reply.of(error(429, retry_after=0)))
    llm.add(Reply.of(text("finally"), usage(10, 2)))
    svc = make_service(tools=ToolRegistry([EchoTool()]), small_model=None, model="fake/m")
    session = svc.create(title="fixed")  # no title request
    with caplog.at_level(logging.WARNING):
        reply = await svc.chat(session.id, "hi")
    assert reply.error is None
    assert stored_text(svc, session.id) == "finally"
    assert len(llm.requests) == 2
    assert any("retrying" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("fault", ["500", "drop"])
async def test_failure_after_partial_text_keeps_the_text(make_service, llm, fault):
    step = error(500, body={"error": {"message": "overloaded"}}) if fault == "500" else drop()
    llm.add(Reply.of(text("Half of the ans", chunks=3), delay(0.05), step))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")
    reply = await svc.chat(session.id, "hi")
    assert reply.error is not None and reply.error.kind in ("server", "connection", "unknown")
    assert stored_text(svc, session.id) == "Half of the ans"
    assert len(llm.requests) == 1  # never replayed after output started
    stored = svc.messages(session.id)[-1].info
    assert stored.error is not None and stored.time.completed is not None
    assert not svc.is_busy(session.id)


async def test_abort_mid_stream_keeps_partial_text_and_the_session_usable(make_service, llm):
    llm.add(Reply.of(text("Streaming slowly ", chunks=2), delay(5), text("never arrives")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")
    task = asyncio.create_task(svc.chat(session.id, "go"))
    for _ in range(1500):  # up to 30 s, for a loaded machine
        if "Streaming slowly" in stored_text(svc, session.id) or any(
            "Streaming" in (p.text if isinstance(p, TextPart) else "")
            for m in svc.messages(session.id) for p in m.parts):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert svc.abort(session.id)
    reply = await asyncio.wait_for(task, 60)
    assert reply.error is not None and reply.error.kind == "aborted"
    assert stored_text(svc, session.id) == "Streaming slowly "
    assert not svc.is_busy(session.id)
    await llm.wait_idle()
    assert llm.requests[0].disconnected  # the HTTP stream was closed
    # The next turn works and carries the partial reply.
    llm.add(Reply.of(text("again")))
    second = await svc.chat(session.id, "continue")
    assert second.error is None
    assert any(m.get("content") == "Streaming slowly" for m in llm.requests[1].messages if m["role"] == "assistant")


async def test_abort_before_any_output_does_not_poison_the_next_request(make_service, llm):
    llm.add(Reply.of(delay(5), text("late")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")
    task = asyncio.create_task(svc.chat(session.id, "first"))
    for _ in range(1500):  # up to 30 s, for a loaded machine
        if llm.requests:
            break
        await asyncio.sleep(0.02)
    svc.abort(session.id)
    reply = await task
    assert reply.error is not None and reply.error.kind == "aborted"
    llm.add(Reply.of(text("hello")))
    await svc.chat(session.id, "second")
    sent = llm.requests[1].messages
    assert [m["role"] for m in sent] == ["system", "user", "user"]  # no empty assistant message


async def test_abort_during_a_tool_marks_it_interrupted(make_service, llm):
    sleeper = SleepTool()
    llm.add(Reply.of(text("Sleeping."), tool_call("sleep", {"seconds": 30}, id="s1")))
    svc = make_service(tools=ToolRegistry([sleeper]))
    session = svc.create(title="fixed")
    task = asyncio.create_task(svc.chat(session.id, "sleep"))
    await asyncio.wait_for(sleeper.started.wait(), 60)
    svc.abort(session.id)
    reply = await asyncio.wait_for(task, 60)
    assert reply.error.kind == "aborted"
    tool = next(p for p in svc.messages(session.id)[-1].parts if isinstance(p, ToolPart))
    assert tool.state.status == "error" and "Aborted" in (tool.state.error or "")
    llm.add(Reply.of(text("ok")))
    assert (await svc.chat(session.id, "next")).error is None
    tool_results = [m for m in llm.requests[1].messages if m["role"] == "tool"]
    assert tool_results and tool_results[0]["tool_call_id"] == "s1"  # every call id still gets a result


async def test_aborting_an_idle_session_is_a_no_op(make_service):
    svc = make_service(tools=ToolRegistry([]))
    assert svc.abort(svc.create().id) is False
