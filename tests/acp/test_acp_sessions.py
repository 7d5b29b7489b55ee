"""Cancel mid-stream (nothing received is lost), loading a stored session (replayed as updates), listing, and
failures inside a turn answered as errors while the process keeps serving."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from acp import RequestError, text_block
from acp_support import RecordingClient, running_agent, write_config

from agent_tui.testing.fake_llm import FakeLLM, Reply, error, reasoning, text, tool_call

pytestmark = pytest.mark.slow

WORDS = " ".join(f"word{i}" for i in range(200))


async def test_cancel_mid_stream_keeps_what_was_received_and_load_replays_it(project: Path, agent_tui_home: Path,
                                                                           llm: FakeLLM):
    write_config(project, llm.openai_base)
    llm.add(Reply.of(tool_call("read", {"file_path": "notes.txt"}, id="r1")))
    llm.add(Reply.of(reasoning("Reading done."), text("The notes say 42.")))
    llm.add(Reply.of(text(WORDS, chunks=200), chunk_delay=0.05))
    first = RecordingClient()
    async with running_agent(first, project, agent_tui_home) as (conn, _, _):
        session = (await conn.new_session(cwd=str(project))).session_id
        assert (await conn.prompt(session_id=session, prompt=[text_block("what do the notes say?")])).stop_reason \
            == "end_turn"
        before = len(first.of_kind("agent_message_chunk"))
        turn = asyncio.ensure_future(conn.prompt(session_id=session, prompt=[text_block("count words")]))
        await first.wait_for(lambda: len(first.of_kind("agent_message_chunk")) >= before + 5)
        await conn.cancel(session_id=session)
        answer = await asyncio.wait_for(turn, 60)
        assert answer.stop_reason == "cancelled"
        streamed = "".join(u.content.text for u in first.of_kind("agent_message_chunk")[before:])
        assert streamed and WORDS.startswith(streamed) and streamed != WORDS
        # The process goes on serving the session after a cancel.
        llm.add(Reply.of(text("still here")))
        assert (await conn.prompt(session_id=session, prompt=[text_block("ping")])).stop_reason == "end_turn"
        listed = await conn.list_sessions(cwd=str(project))
        assert [s.session_id for s in listed.sessions] == [session]
    await llm.wait_idle()
    assert any(r.disconnected for r in llm.requests)  # the cancelled stream was closed, not read to the end

    second = RecordingClient()
    async with running_agent(second, project, agent_tui_home) as (conn, _, _):
        await conn.load_session(cwd=str(project), session_id=session)
        users = [u.content.text for u in second.of_kind("user_message_chunk")]
        assert users == ["what do the notes say?", "count words", "ping"]
        replies = [u.content.text for u in second.of_kind("agent_message_chunk")]
        assert replies == ["The notes say 42.", streamed, "still here"]  # exactly what the client had received
        assert second.text("agent_thought_chunk") == "Reading done."
        (call,) = second.of_kind("tool_call")
        assert call.kind == "read" and call.status == "completed" and call.locations[0].path.endswith("notes.txt")
        # A loaded session continues with its history.
        llm.add(Reply.of(text("continued")))
        await conn.prompt(session_id=session, prompt=[text_block("and now?")])
        assert "count words" in str(llm.requests[-1].messages)
        with pytest.raises(RequestError) as unknown:
            await conn.load_session(cwd=str(project), session_id="ses_nope")
        assert unknown.value.code == -32002


async def test_failures_inside_a_turn_are_error_answers_and_the_process_goes_on(project: Path, agent_tui_home: Path,
                                                                                llm: FakeLLM):
    write_config(project, llm.openai_base)
    llm.add(Reply.of(error(401, body={"error": {"message": "bad key sk-test-123456789"}})))
    llm.add(Reply.of(text("recovered")))
    client = RecordingClient()
    async with running_agent(client, project, agent_tui_home) as (conn, process, stderr):
        session = (await conn.new_session(cwd=str(project))).session_id
        with pytest.raises(RequestError) as failed:
            await conn.prompt(session_id=session, prompt=[text_block("hello")])
        assert failed.value.code == -32603 and failed.value.data["kind"] == "auth"
        assert "sk-test-123456789" not in str(failed.value)
        with pytest.raises(RequestError) as unknown_session:
            await conn.prompt(session_id="ses_missing", prompt=[text_block("hello")])
        assert unknown_session.value.code == -32602
        with pytest.raises(RequestError) as empty:
            await conn.prompt(session_id=session, prompt=[])
        assert empty.value.code == -32602
        with pytest.raises(RequestError) as bad_cwd:
            await conn.new_session(cwd="relative/path")
        assert bad_cwd.value.code == -32602
        assert (await conn.prompt(session_id=session, prompt=[text_block("again")])).stop_reason == "end_turn"
        assert client.text() == "recovered"
        # A second prompt while one runs is refused; the running one is not disturbed.
        llm.add(Reply.of(text(WORDS, chunks=200), chunk_delay=0.05))
        running = asyncio.ensure_future(conn.prompt(session_id=session, prompt=[text_block("long")]))
        await client.wait_for(lambda: client.text() != "recovered")
        with pytest.raises(RequestError) as busy:
            await conn.prompt(session_id=session, prompt=[text_block("meanwhile")])
        assert busy.value.code == -32600 and "already running" in busy.value.data["details"]
        await conn.cancel(session_id=session)
        assert (await asyncio.wait_for(running, 60)).stop_reason == "cancelled"
        await client.wait_for(lambda: bool(client.of_kind("session_info_update")))
        assert client.of_kind("session_info_update")[0].title == "hello"  # the title, once it is made
        assert process.returncode is None
    assert stderr.read_text() == ""
