"""Hostile tool calls from the model: repeated call ids and names the providers would refuse in the history."""

from __future__ import annotations

import re

import pytest
from session_tools import EchoTool

from agent_tui.core.models import ToolPart
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import Reply, finish, text, tool_call

WIRE_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # what OpenAI and Anthropic accept for a tool name and id


def sent_calls(request, protocol: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(id, name) of every tool call, and the ids the tool results answer, as the server received them."""
    calls: list[tuple[str, str]] = []
    results: list[str] = []
    for message in request.messages:
        if protocol == "openai":
            calls += [(c["id"], c["function"]["name"]) for c in message.get("tool_calls") or []]
            if message["role"] == "tool":
                results.append(message["tool_call_id"])
        elif isinstance(message["content"], list):
            calls += [(b["id"], b["name"]) for b in message["content"] if b["type"] == "tool_use"]
            results += [b["tool_use_id"] for b in message["content"] if b["type"] == "tool_result"]
    return calls, results


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_call_id_repeated_in_one_reply_keeps_every_call_and_result(make_service, llm, protocol):
    llm.add(Reply.of(tool_call("echo", {"text": "a"}, id="dup"), tool_call("echo", {"text": "b"}, id="dup")))
    llm.add(Reply.of(text("done")))
    svc = make_service(protocol, tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")

    reply = await svc.chat(session.id, "go")

    assert reply.error is None
    tools = [p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart)]
    assert [t.state.output for t in tools] == ["A", "B"]
    assert len({t.call_id for t in tools}) == 2  # saved outputs and permission prompts are keyed by it
    calls, results = sent_calls(llm.requests[1], protocol)
    ids = [c[0] for c in calls]
    assert len(calls) == 2 and len(set(ids)) == 2  # litellm dropped a repeated tool_use id for Anthropic
    assert sorted(results) == sorted(ids)


async def test_a_call_id_repeated_at_every_step_stays_unique_in_the_session(make_service, llm):
    # Some local servers number calls per reply (call_0 at every step).
    llm.add(Reply.of(tool_call("echo", {"text": "a"}, id="call_0")))
    llm.add(Reply.of(tool_call("echo", {"text": "b"}, id="call_0")))
    llm.add(Reply.of(text("done")))
    svc = make_service(tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")

    assert (await svc.chat(session.id, "go")).error is None

    calls, results = sent_calls(llm.requests[2], "openai")
    assert len({c[0] for c in calls}) == 2 and results == [c[0] for c in calls]


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
@pytest.mark.parametrize(("name", "call_id"), [("ec ho/../x", "c1"), ("", "c1"), ("echo", "functions.echo:0")])
async def test_odd_tool_names_and_ids_are_sent_back_in_a_form_providers_accept(
    make_service, llm, protocol, name, call_id
):
    llm.add(Reply.of(tool_call(name, {"text": "a"}, id=call_id)))
    llm.add(Reply.of(text("ok")))
    llm.add(Reply.of(text("ok again")))
    svc = make_service(protocol, tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")

    await svc.chat(session.id, "go")
    assert (await svc.chat(session.id, "again")).error is None

    tool = next(p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart))
    assert tool.tool == name  # stored as the model sent it, for the user
    for request in llm.requests[1:]:
        calls, results = sent_calls(request, protocol)
        assert len(calls) == 1
        assert all(WIRE_NAME.match(value) for value in calls[0]), calls
        assert results == [calls[0][0]]


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_arguments_cut_by_the_output_limit_are_reported_as_such(make_service, llm, protocol):
    llm.add(Reply.of(text("Writing."), tool_call("echo", '{"text": "a very long', id="c1"), finish("length")))
    llm.add(Reply.of(text("I will send less.")))
    svc = make_service(protocol, tools=ToolRegistry([EchoTool()]))
    session = svc.create(title="fixed")

    reply = await svc.chat(session.id, "go")

    assert reply.error is None  # the turn goes on: the model can retry with less
    tool = next(p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart))
    assert tool.state.status == "error" and "output limit" in (tool.state.error or "")
    assert tool.state.raw_input == '{"text": "a very long'  # kept as received
    assert "output limit" in str(llm.requests[1].messages)
