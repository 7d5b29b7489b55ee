"""`agent-tui acp` as a real subprocess, driven by the SDK's client side: initialize, new session, a prompt
streamed as message and thought chunks, config options for the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acp import PROTOCOL_VERSION, RequestError, text_block
from acp_support import RecordingClient, running_agent, write_config

from agent_tui.testing.fake_llm import FakeLLM, Reply, reasoning, text, tool_call, usage

pytestmark = pytest.mark.slow


async def test_initialize_negotiates_the_version_and_describes_the_agent(project: Path, agent_tui_home: Path,
                                                                         llm: FakeLLM):
    write_config(project, llm.openai_base)
    async with running_agent(RecordingClient(), project, agent_tui_home) as (conn, _, _):
        answer = await conn.initialize(protocol_version=PROTOCOL_VERSION)
        assert answer.protocol_version == PROTOCOL_VERSION
        assert answer.agent_info is not None and answer.agent_info.name == "agent-tui"
        caps = answer.agent_capabilities
        assert caps.load_session is True and caps.prompt_capabilities.embedded_context is True
        # A version we do not speak is answered with the one we do; the client decides.
        assert (await conn.initialize(protocol_version=PROTOCOL_VERSION + 7)).protocol_version == PROTOCOL_VERSION


async def test_a_prompt_streams_thoughts_and_text_and_ends_the_turn(project: Path, agent_tui_home: Path, llm: FakeLLM):
    write_config(project, llm.openai_base)
    llm.add(Reply.of(reasoning("Let me think.", chunks=2), text("Hello from the engine.", chunks=4), usage(10, 5)))
    client = RecordingClient()
    async with running_agent(client, project, agent_tui_home) as (conn, _, stderr):
        session = await conn.new_session(cwd=str(project))
        assert session.session_id.startswith("ses")
        options = {o.id: o for o in session.config_options or []}
        assert options["model"].current_value == "fake/m"
        answer = await conn.prompt(session_id=session.session_id, prompt=[text_block("say hello")])
        assert answer.stop_reason == "end_turn"
        assert client.text() == "Hello from the engine."
        assert len(client.of_kind("agent_message_chunk")) >= 2  # streamed, not sent at the end
        assert client.text("agent_thought_chunk") == "Let me think."
        assert {sid for sid, _ in client.updates} == {session.session_id}
        (used,) = client.of_kind("usage_update")
        assert used.used == 15 and used.size >= 15 and used.cost.amount == 0.0 and used.cost.currency == "USD"
    assert llm.requests[0].messages[-1]["content"] in ("say hello", [{"type": "text", "text": "say hello"}])
    assert stderr.read_text() == ""  # nothing printed anywhere: logs go to the log file


async def test_the_model_option_switches_the_model_of_the_next_turn(project: Path, agent_tui_home: Path,
                                                                    llm: FakeLLM):
    write_config(project, llm.openai_base, models=("m", "other"))
    llm.add(Reply.of(text("from other")))
    client = RecordingClient()
    async with running_agent(client, project, agent_tui_home) as (conn, _, _):
        session = await conn.new_session(cwd=str(project))
        values = [o.value for o in session.config_options[0].options]
        assert "fake/m" in values and "fake/other" in values
        changed = await conn.set_config_option(config_id="model", session_id=session.session_id, value="fake/other")
        assert changed.config_options[0].current_value == "fake/other"
        await conn.prompt(session_id=session.session_id, prompt=[text_block("hi")])
    assert llm.requests[0].model == "other"
    assert json.loads((project / "agent-tui.json").read_text())["model"] == "fake/m"  # the config is never rewritten


async def test_agents_are_offered_as_modes_and_the_plan_mode_applies_its_rules(project: Path, agent_tui_home: Path,
                                                                              llm: FakeLLM):
    write_config(project, llm.openai_base)
    llm.add(Reply.of(tool_call("write", {"file_path": "plan.txt", "content": "x\n"}, id="w1")))
    llm.add(Reply.of(text("I may not edit in plan mode.")))
    client = RecordingClient()
    async with running_agent(client, project, agent_tui_home) as (conn, _, _):
        session = await conn.new_session(cwd=str(project))
        assert session.modes.current_mode_id == "build"
        assert {m.id for m in session.modes.available_modes} == {"build", "plan"}
        mode_option = {o.id: o for o in session.config_options}["mode"]
        assert mode_option.category == "mode" and mode_option.current_value == "build"
        await conn.set_session_mode(session_id=session.session_id, mode_id="plan")
        (changed,) = client.of_kind("config_option_update")
        assert {o.id: o.current_value for o in changed.config_options}["mode"] == "plan"
        await conn.prompt(session_id=session.session_id, prompt=[text_block("write a file")])
        back = await conn.set_config_option(config_id="mode", session_id=session.session_id, value="build")
        assert {o.id: o.current_value for o in back.config_options}["mode"] == "build"
        assert client.of_kind("current_mode_update")[-1].current_mode_id == "build"
        with pytest.raises(RequestError) as unknown:
            await conn.set_session_mode(session_id=session.session_id, mode_id="general")  # a sub-agent only
        assert unknown.value.code == -32602
    assert not (project / "plan.txt").exists()
    (failed,) = [u for u in client.of_kind("tool_call_update") if u.status == "failed"]
    assert "denied" in failed.content[0].content.text
