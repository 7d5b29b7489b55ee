"""Tool calls over ACP: kinds, statuses, locations, diff and terminal content, permission requests answered every
way, the todo list as a plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from acp import text_block
from acp_support import RecordingClient, running_agent, write_config

from agent_tui.testing.fake_llm import FakeLLM, Reply, text, tool_call

pytestmark = pytest.mark.slow

MCP_SERVERS = Path(__file__).resolve().parents[1] / "mcp" / "servers"


def tool_results(llm: FakeLLM) -> list[str]:
    """What the model was told of each call, in call order (every request repeats the history)."""
    seen = {m["tool_call_id"]: m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"}
    return list(seen.values())


async def test_bash_permission_answered_once_rejected_and_always(project: Path, agent_tui_home: Path, llm: FakeLLM):
    write_config(project, llm.openai_base, permission={"bash": "ask"})
    for index, command in enumerate(["echo first", "echo second", "echo third", "echo third"]):
        llm.add(Reply.of(tool_call("bash", {"command": command}, id=f"c{index}")))
        llm.add(Reply.of(text(f"done {index}")))
    # Allowed once; rejected; a cancelled request (the client's answer after session/cancel) is a rejection too;
    # then "always" for the third command, so its repeat is not asked.
    client = RecordingClient(answers=["allow_once", "reject_once", None, "allow_always"])
    async with running_agent(client, project, agent_tui_home) as (conn, _, _):
        session = (await conn.new_session(cwd=str(project))).session_id
        for prompt in ("one", "two", "three", "four", "five"):
            if prompt == "five":
                llm.add(Reply.of(tool_call("bash", {"command": "echo third"}, id="c4")))
                llm.add(Reply.of(text("done 4")))
            answer = await conn.prompt(session_id=session, prompt=[text_block(prompt)])
            assert answer.stop_reason == "end_turn"
    assert len(client.permission_requests) == 4
    _, asked, options = client.permission_requests[0]
    assert asked.title == "echo first" and asked.kind == "execute"
    assert {o.kind for o in options} == {"allow_once", "allow_always", "reject_once"}
    starts = client.of_kind("tool_call")
    assert asked.tool_call_id == starts[0].tool_call_id  # the request is about the call the client was shown
    assert starts[0].kind == "execute" and starts[0].status == "pending"  # announced while its arguments stream
    final = {u.tool_call_id: u for u in client.of_kind("tool_call_update")}
    assert final[starts[0].tool_call_id].title == "echo first"
    statuses = [final[s.tool_call_id].status for s in starts]
    assert statuses == ["completed", "failed", "failed", "completed", "completed"]
    first_output = final[starts[0].tool_call_id].content[0].content.text
    assert "first" in first_output
    results = tool_results(llm)
    assert results[0].startswith("first")
    assert "rejected" in results[1] and "rejected" in results[2]
    assert results[3].startswith("third") and results[4].startswith("third")


async def test_an_edit_is_asked_with_its_diff_and_shown_with_its_location(project: Path, agent_tui_home: Path,
                                                                          llm: FakeLLM):
    write_config(project, llm.openai_base, permission={"edit": "ask"})
    llm.add(Reply.of(tool_call("read", {"file_path": "notes.txt"}, id="r1")))
    llm.add(Reply.of(tool_call("edit", {"file_path": "notes.txt", "old_string": "42", "new_string": "43"}, id="e1")))
    llm.add(Reply.of(tool_call("todowrite", {"todos": [{"content": "check the answer", "status": "in_progress"},
                                                       {"content": "drop this", "status": "cancelled"}]}, id="t1")))
    llm.add(Reply.of(text("Changed it.")))
    client = RecordingClient(answers=["allow_once"])
    async with running_agent(client, project, agent_tui_home) as (conn, _, _):
        session = (await conn.new_session(cwd=str(project))).session_id
        await conn.prompt(session_id=session, prompt=[text_block("fix the answer")])
    assert (project / "notes.txt").read_text() == "the answer is 43\n"
    _, asked, _ = client.permission_requests[0]
    assert asked.kind == "edit"
    diff = asked.content[0]
    assert diff.type == "diff" and diff.path == str(project / "notes.txt")
    assert diff.old_text == "the answer is 42" and diff.new_text == "the answer is 43"
    starts = {s.tool_call_id: s for s in client.of_kind("tool_call")}
    final = {u.tool_call_id: u for u in client.of_kind("tool_call_update")}
    kinds = {starts[i].kind: final[i] for i in starts}
    assert kinds["read"].locations[0].path == str(project / "notes.txt")
    assert "the answer is 42" in kinds["read"].content[0].content.text
    edit = kinds["edit"]
    assert edit.status == "completed" and edit.content[0].type == "diff"
    assert edit.locations[0].path == str(project / "notes.txt")
    plans = client.of_kind("plan")
    assert [(e.content, e.status) for e in plans[-1].entries] == [("check the answer", "in_progress")]


async def test_the_clients_mcp_servers_are_started_and_their_tools_offered(project: Path, agent_tui_home: Path,
                                                                          llm: FakeLLM):
    import sys

    from acp.schema import McpServerStdio

    server = MCP_SERVERS / "tools_server.py"
    write_config(project, llm.openai_base, permission={"mcp": "allow"})
    llm.add(Reply.of(tool_call("editor-tools_echo", {"text": "from the editor's server"}, id="m1")))
    llm.add(Reply.of(text("It echoed.")))
    client = RecordingClient()
    async with running_agent(client, project, agent_tui_home) as (conn, _, _):
        answer = await conn.initialize(protocol_version=1)
        assert answer.agent_capabilities.mcp_capabilities.http is True
        session = (await conn.new_session(cwd=str(project), mcp_servers=[
            McpServerStdio(name="editor tools", command=sys.executable, args=[str(server), "stdio"], env=[]),
        ])).session_id
        await conn.prompt(session_id=session, prompt=[text_block("echo something")])
    assert any(t["function"]["name"] == "editor-tools_echo" for t in llm.requests[0].tools)
    assert tool_results(llm) == ["echo: from the editor's server"]
