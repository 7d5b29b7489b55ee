"""Agents through the service against the scripted model: build and plan, Markdown agents, sub-agents."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_tui.core.agents import UnknownAgent
from agent_tui.core.events import PermissionAsked
from agent_tui.core.models import ToolPart
from agent_tui.testing.fake_llm import Reply, text, tool_call


def results_of(request) -> dict[str, str]:
    return {m["tool_call_id"]: m["content"] for m in request.messages if m["role"] == "tool"}


def system_text(request) -> str:
    return "\n".join(m["content"] if isinstance(m["content"], str) else str(m["content"])
                     for m in request.messages if m["role"] == "system")


def tool_names(request) -> set[str]:
    return {t["function"]["name"] for t in request.tools}


def write_agent(folder: Path, name: str, text_: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(text_)
    return path


async def test_plan_agent_denies_edits_and_changing_commands_but_reads(make_service, llm, project_dir: Path):
    svc = make_service()
    session = svc.create(agent="plan")
    asked: list[PermissionAsked] = []
    svc.bus.subscribe(PermissionAsked, lambda e: (asked.append(e), svc.permissions.reply(e.id, "reject")))
    llm.add(Reply.of(
        tool_call("read", {"file_path": "hello.py"}, id="read"),
        tool_call("grep", {"pattern": "hello"}, id="grep"),
        tool_call("bash", {"command": "git status --short && ls"}, id="look"),
        tool_call("bash", {"command": "rm -rf build"}, id="rm"),
        tool_call("bash", {"command": "echo x > hello.py"}, id="redirect"),
    ))
    llm.add(Reply.of(tool_call("edit", {"file_path": "hello.py", "old_string": "hello", "new_string": "bye"},
                               id="edit"),
                     tool_call("write", {"file_path": "new.py", "content": "x = 1\n"}, id="write")))
    llm.add(Reply.of(text("Plan: change the greeting in hello.py.")))
    reply = await svc.chat(session.id, "Change the greeting")
    assert reply.error is None
    first, second, third = llm.requests[-3:]
    # Its own system prompt, which asks for a plan.
    assert "plan mode" in system_text(first) and "Use tabs, never spaces." in system_text(first)
    results = {**results_of(second), **results_of(third)}
    assert "print('hello')" in results["read"] and "hello.py" in results["grep"]
    assert "hello.py" in results["look"]  # read-only commands run without asking
    assert "denied for the read-only 'plan' agent" in results["rm"]
    # A redirection into a project file is an edit, which the plan agent denies (no question needed).
    assert "denied for the read-only 'plan' agent" in results["redirect"]
    assert asked == []
    assert "denied for the read-only 'plan' agent" in results["edit"]
    assert "denied" in results["write"]
    assert (project_dir / "hello.py").read_text() == "print('hello')\n"
    assert not (project_dir / "new.py").exists()


async def test_the_session_stores_its_agent_and_build_is_todays_behaviour(make_service, llm, project_dir: Path):
    svc = make_service()
    session = svc.create()
    assert svc.agent_for(session.id).name == "build"
    llm.add(Reply.of(text("hi")))
    await svc.chat(session.id, "hello")
    build_request = llm.requests[-1]
    svc.set_agent(session.id, "plan")
    assert svc.get(session.id).agent == "plan"
    llm.add(Reply.of(text("a plan")))
    await svc.chat(session.id, "plan it")
    plan_request = llm.requests[-1]
    assert "plan mode" not in system_text(build_request) and "plan mode" in system_text(plan_request)
    assert tool_names(build_request) == tool_names(plan_request)  # plan is offered them; they are denied
    with pytest.raises(UnknownAgent, match=r"No agent named 'nope'\. Agents: build, plan, general"):
        svc.set_agent(session.id, "nope")
    with pytest.raises(UnknownAgent):
        svc.create(agent="nope")


async def test_markdown_agent_prompt_tools_permissions_model_and_temperature(
    make_service, llm, project_dir: Path, agent_tui_home: Path
):
    write_agent(project_dir / ".agent-tui" / "agents", "reviewer", (
        "---\n"
        "description: Reviews code\n"
        "mode: primary\n"
        "model: fake/m\n"
        "temperature: 0.3\n"
        "tools: [read, bash, grep]\n"
        "permission:\n"
        "  bash:\n"
        "    'git diff*': allow\n"
        "    '*': deny\n"
        "---\n"
        "You are a strict reviewer.\n"
    ))
    write_agent(agent_tui_home / "config" / "agents", "globalone", "---\ndescription: From the global folder\n---\n")
    svc = make_service()
    assert {"reviewer", "globalone"} <= {a.name for a in svc.agents.primary()}
    session = svc.create(agent="reviewer")
    llm.add(Reply.of(tool_call("bash", {"command": "git diff"}, id="diff"),
                     tool_call("bash", {"command": "ls"}, id="ls")))
    llm.add(Reply.of(text("Looks good.")))
    reply = await svc.chat(session.id, "review")
    assert reply.error is None
    first, second = llm.requests[-2:]
    assert tool_names(first) == {"read", "bash", "grep"}
    assert system_text(first).startswith("You are a strict reviewer.")
    assert first.body["temperature"] == 0.3
    results = results_of(second)
    assert "denied" not in results["diff"] and "denied" in results["ls"]


async def test_bad_agent_files_are_skipped_with_file_and_line(make_service, project_dir: Path):
    folder = project_dir / ".agent-tui" / "agents"
    write_agent(folder, "broken", "---\ndescription: x\ntools: [read\n---\nbody\n")
    write_agent(folder, "typo", "---\ndescription: x\ntemprature: 1\n---\nbody\n")
    write_agent(folder, "badvalue", "---\ndescription: x\n\ntemperature: hot\n---\nbody\n")
    write_agent(folder, "unclosed", "---\ndescription: x\n")
    write_agent(folder, "fine", "---\ndescription: works\n---\nYou are fine.\n")
    svc = make_service()
    names = {a.name for a in svc.agents.all()}
    assert "fine" in names and not names & {"broken", "typo", "badvalue", "unclosed"}
    problems = "\n".join(svc.agents.problems)
    assert f"{folder / 'broken.md'}:4:" in problems
    assert f"{folder / 'typo.md'}:3: unknown key 'temprature'" in problems
    assert f"{folder / 'badvalue.md'}:4: key 'temperature'" in problems
    assert f"{folder / 'unclosed.md'}:1:" in problems


async def test_task_lists_subagents_and_runs_the_chosen_one(make_service, llm, project_dir: Path):
    write_agent(project_dir / ".agent-tui" / "agents", "scout", (
        "---\ndescription: Finds files quickly\nmode: subagent\ntools: [glob, read]\n"
        "permission: {edit: deny}\n---\nYou are a scout. Report paths only.\n"
    ))
    svc = make_service()
    assert "scout" not in {a.name for a in svc.agents.primary()}
    session = svc.create()
    llm.add(Reply.of(tool_call("task", {"description": "find py", "prompt": "find python files",
                                        "agent": "scout"}, id="t1")))
    llm.add(Reply.of(tool_call("glob", {"pattern": "*.py"}, id="g")))  # the scout's first step
    llm.add(Reply.of(text("hello.py")))  # the scout's answer
    llm.add(Reply.of(text("Found hello.py.")))  # the parent's reply
    reply = await svc.chat(session.id, "what python files are there?")
    assert reply.error is None
    parent_first, scout_first, _scout_second, parent_second = llm.requests[-4:]
    task_schema = next(t for t in parent_first.tools if t["function"]["name"] == "task")
    description = task_schema["function"]["description"]
    assert "- scout: Finds files quickly" in description and "- general:" in description
    assert "build" not in description.split("Sub-agents")[1]
    assert tool_names(scout_first) == {"glob", "read"}
    assert system_text(scout_first).startswith("You are a scout.")
    assert results_of(parent_second)["t1"] == "hello.py"
    task_part = next(p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart))
    child = svc.get(task_part.state.metadata["session_id"])
    assert child is not None and child.agent == "scout" and child.parent_id == session.id


async def test_task_with_an_unknown_subagent_tells_the_model(make_service, llm):
    svc = make_service()
    session = svc.create()
    llm.add(Reply.of(tool_call("task", {"description": "x", "prompt": "y", "agent": "plan"}, id="t1")))
    llm.add(Reply.of(text("ok")))
    await svc.chat(session.id, "go")
    assert "No sub-agent named 'plan'. Sub-agents: general" in results_of(llm.requests[-1])["t1"]
