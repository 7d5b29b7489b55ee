"""Full turns through SessionService → litellm → the scripted server over real HTTP, both wire protocols."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from session_tools import CrashTool, EchoTool, SleepTool

from agent_tui.core.events import Event, MessageUpdated, PartDelta, PartUpdated, SessionIdle
from agent_tui.core.models import AssistantMessage, StepFinishPart, TextPart, ToolPart
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import Reply, reasoning, text, tool_call, usage


def tool_messages(request) -> list[dict]:
    return [m for m in request.messages if m["role"] == "tool"]


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_multi_step_turn_with_tools(make_service, llm, title_llm, protocol):
    title_llm.add(Reply.of(text("Echo a greeting")))
    llm.add(Reply.of(reasoning("I should echo."), text("Echoing."),
                     tool_call("echo", {"text": "hi"}, id="call_1", chunks=3),
                     tool_call("echo", {"text": "there"}, id="call_2", chunks=2),
                     usage(1000, 50, cache_read=200, cache_write=100)))
    llm.add(Reply.of(text("Done: HI THERE", chunks=4), usage(1200, 20)))
    svc = make_service(protocol, tools=ToolRegistry([EchoTool()]))
    events: list[Event] = []
    svc.bus.subscribe_all(events.append)
    session = svc.create()

    reply = await svc.chat(session.id, "echo hi there")

    assert reply.error is None
    assert reply.finish_reason == "stop"
    history = svc.messages(session.id)
    assert [m.info.role for m in history] == ["user", "assistant"]
    parts = history[1].parts
    tools = [p for p in parts if isinstance(p, ToolPart)]
    assert [(t.tool, t.state.status, t.state.output) for t in tools] == [
        ("echo", "completed", "HI"), ("echo", "completed", "THERE")]
    assert tools[0].state.title == "echo hi"
    texts = [p.text for p in parts if isinstance(p, TextPart)]
    assert texts == ["Echoing.", "Done: HI THERE"]
    assert [p.text for p in parts if p.type == "reasoning"] == ["I should echo."]
    # Tokens summed over both steps; cost = tokens × the configured per-million prices, exactly.
    stored = history[1].info
    assert isinstance(stored, AssistantMessage)
    # Anthropic's wire has no reasoning count: litellm estimates it from the thinking text, out of output.
    assert (stored.tokens.input, stored.tokens.output + stored.tokens.reasoning) == (2200, 70)
    assert (stored.tokens.cache_read, stored.tokens.cache_write) == (200, 100)
    expected = (Decimal(2200) * 3 + Decimal(70) * 15 + Decimal(200) * Decimal("0.3")
                + Decimal(100) * Decimal("3.75")) / Decimal(1_000_000)
    assert stored.cost == expected
    assert next(p.cost for p in parts if isinstance(p, StepFinishPart)) > 0
    assert svc.get(session.id).cost == expected
    # The second request carried both tool results back, matched by call id.
    assert len(llm.requests) == 2
    results = tool_messages(llm.requests[1]) if protocol == "openai" else None
    if results is not None:
        assert [(m["tool_call_id"], m["content"]) for m in results] == [("call_1", "HI"), ("call_2", "THERE")]
    else:
        body = str(llm.requests[1].messages)
        assert "tool_result" in body and "HI" in body and "THERE" in body
    # Streaming deltas were published, and the run ended idle.
    deltas = "".join(e.delta for e in events if isinstance(e, PartDelta) and e.part_type == "text")
    assert deltas == "Echoing.Done: HI THERE"
    assert any(isinstance(e, SessionIdle) for e in events)
    assert any(isinstance(e, MessageUpdated) and e.message.role == "user" for e in events)
    # Title generated in the background by the small model.
    for _ in range(1500):  # up to 30 s, for a loaded machine
        if svc.get(session.id).title_generated:
            break
        await asyncio.sleep(0.02)
    assert svc.get(session.id).title == "Echo a greeting"


async def test_system_prompt_env_listing_and_context_files(make_service, llm, title_llm):
    llm.add(Reply.of(text("ok")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create()
    await svc.chat(session.id, "hi")
    system = llm.requests[0].messages[0]
    assert system["role"] == "system"
    content = system["content"]
    assert "<env>" in content and "Is directory a git repo: yes" in content
    assert "hello.py" in content  # the project listing
    assert "Use tabs, never spaces." in content  # AGENTS.md
    assert [t["function"]["name"] for t in llm.requests[0].tools] == ["echo"]
    assert llm.requests[0].body.get("temperature") == 0


async def test_tool_calls_of_one_step_run_concurrently(make_service, llm):
    sleeper = SleepTool()
    llm.add(Reply.of(tool_call("sleep", {"seconds": 0.3}, id="a"), tool_call("sleep", {"seconds": 0.3}, id="b")))
    llm.add(Reply.of(text("slept")))
    svc = make_service(tools=ToolRegistry([sleeper]))
    reply = await svc.chat(svc.create().id, "sleep twice")
    assert reply.error is None
    (s1, e1), (s2, e2) = sleeper.spans
    assert s2 < e1 and s1 < e2  # the two spans overlap


async def test_bad_tool_calls_go_back_to_the_model(make_service, llm):
    llm.add(Reply.of(
        tool_call("echo", '{"text": "unterminated', id="bad_json"),
        tool_call("nope", {"x": 1}, id="unknown"),
        tool_call("echo", {"wrong": 1}, id="invalid"),
        tool_call("echo", {"text": "fail"}, id="tool_error"),
        tool_call("crash", {"text": "x"}, id="crash"),
    ))
    llm.add(Reply.of(text("I will fix my calls.")))
    svc = make_service(tools=ToolRegistry([EchoTool(), CrashTool()]))
    session = svc.create()
    reply = await svc.chat(session.id, "go")
    assert reply.error is None
    results = {m["tool_call_id"]: m["content"] for m in tool_messages(llm.requests[1])}
    assert "not valid JSON" in results["bad_json"]
    assert "Unknown tool 'nope'" in results["unknown"] and "echo" in results["unknown"]
    assert "Invalid arguments for tool 'echo'" in results["invalid"] and "text" in results["invalid"]
    assert results["tool_error"] == "Error: echo was asked to fail"
    assert "RuntimeError: boom" in results["crash"]
    states = [p.state.status for p in svc.messages(session.id)[1].parts if isinstance(p, ToolPart)]
    assert states == ["error"] * 5


async def test_step_limit_stops_the_loop(make_service, llm):
    for i in range(2):
        llm.add(Reply.of(tool_call("echo", {"text": str(i)}, id=f"c{i}")))
    svc = make_service(tools=ToolRegistry([EchoTool()]), step_limit=2)
    reply = await svc.chat(svc.create().id, "loop")
    assert reply.error is not None and "step limit" in reply.error.message
    assert len(llm.requests) == 2


async def test_busy_session_refuses_a_second_chat(make_service, llm):
    from agent_tui.core.session.service import BusyError

    sleeper = SleepTool()
    llm.add(Reply.of(tool_call("sleep", {"seconds": 0.5}, id="a")))
    llm.add(Reply.of(text("done")))
    svc = make_service(tools=ToolRegistry([sleeper]))
    session = svc.create()
    first = asyncio.create_task(svc.chat(session.id, "one"))
    await sleeper.started.wait()
    assert svc.is_busy(session.id)
    with pytest.raises(BusyError):
        await svc.chat(session.id, "two")
    reply = await first
    assert reply.error is None and not svc.is_busy(session.id)
    # Another session is not blocked by the first.
    other = svc.create()
    llm.add(Reply.of(text("independent")))
    assert (await svc.chat(other.id, "hi")).error is None


async def test_live_tool_metadata_is_published(make_service, llm):
    sleeper = SleepTool()
    llm.add(Reply.of(tool_call("sleep", {"seconds": 0.05}, id="a")))
    llm.add(Reply.of(text("done")))
    svc = make_service(tools=ToolRegistry([sleeper]))
    seen: list[tuple[str, dict]] = []
    svc.bus.subscribe(PartUpdated, lambda e: isinstance(e.part, ToolPart)
                      and seen.append((e.part.state.status, dict(e.part.state.metadata))))
    await svc.chat(svc.create().id, "sleep")
    statuses = [s for s, _ in seen]
    assert statuses.index("running") < statuses.index("completed")
    assert any(m.get("progress") == "started" for s, m in seen if s == "running")


async def test_events_are_snapshots_not_live_records(make_service, llm):
    llm.add(Reply.of(tool_call("echo", {"text": "x"}, id="c1")))
    llm.add(Reply.of(text("done")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    messages: list[MessageUpdated] = []
    tools: list[PartUpdated] = []
    svc.bus.subscribe(MessageUpdated, messages.append)
    svc.bus.subscribe(PartUpdated, lambda e: isinstance(e.part, ToolPart) and tools.append(e))
    await svc.chat(svc.create(title="x").id, "go")
    assistant = [e.message for e in messages if e.message.role == "assistant"]
    assert assistant[0].time.completed is None and assistant[-1].time.completed is not None
    statuses = [e.part.state.status for e in tools]
    assert statuses[0] == "pending" and statuses[-1] == "completed"


async def test_session_cost_grows_with_each_step_not_only_at_the_end(make_service, llm):
    from agent_tui.core.events import SessionUpdated

    llm.add(Reply.of(tool_call("echo", {"text": "a"}, id="c1"), usage(1000, 10)))
    llm.add(Reply.of(text("done"), usage(2000, 10)))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="x")
    costs: list[Decimal] = []
    svc.bus.subscribe(SessionUpdated, lambda e: e.session.id == session.id and costs.append(e.session.cost))
    reply = await svc.chat(session.id, "go")
    first_step = (Decimal(1000) * 3 + Decimal(10) * 15) / Decimal(1_000_000)
    assert first_step in costs  # published after step 1, while the turn was still running
    assert costs[-1] == reply.cost == svc.get(session.id).cost


async def test_streamed_text_comes_as_deltas_at_their_offsets_and_the_part_whole_at_its_end(make_service, llm):
    # Each chunk is one PartDelta (what was added, and where); the part itself is published whole at its start,
    # with its coalesced writes and at its end, so that a subscriber that missed deltas can catch up.
    llm.add(Reply.of(reasoning("think", chunks=2), text("one two three four", chunks=4)))
    svc = make_service(tools=ToolRegistry([]))
    seen: list[Event] = []
    svc.bus.subscribe_all(lambda e: isinstance(e, PartDelta | PartUpdated) and seen.append(e))
    await svc.chat(svc.create(title="x").id, "go")
    for kind, whole, pieces in (("text", "one two three four", 4), ("reasoning", "think", 2)):
        deltas = [e for e in seen if isinstance(e, PartDelta) and e.part_type == kind]
        assert len(deltas) == pieces
        assert "".join(d.delta for d in deltas) == whole
        assert [d.offset for d in deltas] == [sum(len(d.delta) for d in deltas[:n]) for n in range(pieces)]
        assert len({d.part_id for d in deltas}) == 1
        wholes = [e for e in seen if isinstance(e, PartUpdated) and e.part.id == deltas[0].part_id]
        parts = [e.part for e in wholes]
        assert parts[0].text == "" and parts[0].time_end is None
        assert seen.index(wholes[0]) < seen.index(deltas[0])  # published before its first delta
        assert parts[-1].text == whole and parts[-1].time_end is not None
        assert all(whole.startswith(p.text) for p in parts)  # snapshots: each as it was when published
