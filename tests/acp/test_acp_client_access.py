"""Files and commands through the client when it offers them: reads and edits see the editor's unsaved buffer
and are written back through it; bash runs in the client's terminal (killed on cancel)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from acp import text_block
from acp_support import RecordingClient, capabilities, running_agent, write_config

from agent_tui.testing.fake_llm import FakeLLM, Reply, text, tool_call

pytestmark = pytest.mark.slow


def tool_results(llm: FakeLLM) -> list[str]:
    seen = {m["tool_call_id"]: m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"}
    return list(seen.values())


async def test_reads_and_edits_go_through_the_editor_buffers(project: Path, agent_tui_home: Path, llm: FakeLLM):
    notes = str(project / "notes.txt")
    write_config(project, llm.openai_base)
    llm.add(Reply.of(tool_call("read", {"file_path": "notes.txt"}, id="r1")))
    llm.add(Reply.of(tool_call("edit", {"file_path": "notes.txt", "old_string": "is 7", "new_string": "is 8"},
                               id="e1")))
    llm.add(Reply.of(tool_call("write", {"file_path": "new.txt", "content": "fresh\n"}, id="w1")))
    llm.add(Reply.of(text("Done.")))
    client = RecordingClient(buffers={notes: "unsaved: the answer is 7\n"})
    async with running_agent(client, project, agent_tui_home, caps=capabilities(fs=True)) as (conn, _, _):
        session = (await conn.new_session(cwd=str(project))).session_id
        assert (await conn.prompt(session_id=session, prompt=[text_block("bump it")])).stop_reason == "end_turn"
    read, edited, written = tool_results(llm)
    assert "unsaved: the answer is 7" in read
    assert edited.startswith("Edited notes.txt"), edited
    assert written.startswith("Created new.txt"), written
    assert client.writes == [(notes, "unsaved: the answer is 8\n"), (str(project / "new.txt"), "fresh\n")]
    assert (project / "notes.txt").read_text() == "the answer is 42\n"  # the editor decides when to save
    assert not (project / "new.txt").exists()
    assert notes in client.reads


async def test_bash_runs_in_the_client_terminal_and_is_killed_on_cancel(project: Path, agent_tui_home: Path,
                                                                        llm: FakeLLM):
    write_config(project, llm.openai_base)
    llm.add(Reply.of(tool_call("bash", {"command": "echo from-terminal; pwd; exit 3"}, id="b1")))
    llm.add(Reply.of(text("It failed with 3.")))
    llm.add(Reply.of(tool_call("bash", {"command": "sleep 60"}, id="b2")))
    client = RecordingClient()
    async with running_agent(client, project, agent_tui_home, caps=capabilities(terminal=True)) as (conn, _, _):
        session = (await conn.new_session(cwd=str(project))).session_id
        assert (await conn.prompt(session_id=session, prompt=[text_block("run it")])).stop_reason == "end_turn"
        (result,) = tool_results(llm)
        assert result.startswith("from-terminal\n" + str(project)) and "Exit code 3." in result
        terminal_content = [c for u in client.of_kind("tool_call_update") for c in u.content or []
                            if c.type == "terminal"]
        assert terminal_content and terminal_content[0].terminal_id == "term-1"

        turn = asyncio.ensure_future(conn.prompt(session_id=session, prompt=[text_block("wait")]))
        await client.wait_for(lambda: len(client.terminals) == 2)
        sleeper = client.terminals["term-2"].process
        await conn.cancel(session_id=session)
        assert (await asyncio.wait_for(turn, 60)).stop_reason == "cancelled"
        await asyncio.wait_for(sleeper.wait(), 30)  # killed, not left running in the editor
    final = {u.tool_call_id: u for u in client.of_kind("tool_call_update")}
    assert [u.status for u in final.values()][-1] == "failed"
