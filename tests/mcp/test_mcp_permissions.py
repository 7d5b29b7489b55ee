"""MCP tools go through the permission rules: a real MCP server subprocess, the service, the scripted model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from mcp_test_support import HarnessFactory, local_server

from agent_tui.core.config import Config
from agent_tui.core.events import PermissionAsked
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import FakeLLM, Reply, text, tool_call

ServiceFactory = Callable[..., SessionService]


@pytest.fixture
async def make_service(make_manager: HarnessFactory, llm: FakeLLM, tmp_path: Path) -> AsyncIterator[ServiceFactory]:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(30)
    assert harness.status("tools").status == "ready", harness.status("tools").error
    project = tmp_path / "project"
    project.mkdir()
    made: list[SessionService] = []

    def factory(permission: dict[str, Any] | None = None, mode: str = "interactive") -> SessionService:
        config = Config.model_validate({
            "model": "fake/m",
            "provider": {"fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test",
                                  "models": {"m": {}}}},
            "permission": permission or {},
        })
        svc = SessionService(project=Project.discover(project), config=config,
                             storage=Storage(tmp_path / "db" / f"{len(made)}.db"), tools=ToolRegistry([]),
                             mcp=harness.manager, permission_mode=mode, retry_base_delay=0.01)  # type: ignore[arg-type]
        made.append(svc)
        return svc

    yield factory
    for svc in made:
        svc.mcp = None  # the harness stops the server
        await svc.shutdown()
        svc.storage.close()


def results(request: Any) -> dict[str, str]:
    return {m["tool_call_id"]: m["content"] for m in request.messages if m["role"] == "tool"}


def answer(svc: SessionService, replies: dict[str, str]) -> list[PermissionAsked]:
    """Answer each ask by tool name; returns the asks seen."""
    asked: list[PermissionAsked] = []

    def on_ask(event: PermissionAsked) -> None:
        asked.append(event)
        svc.permissions.reply(event.id, replies.get(event.metadata["tool"], "reject"))  # type: ignore[arg-type]

    svc.bus.subscribe(PermissionAsked, on_ask)
    return asked


CALLS = (
    tool_call("tools_add", {"a": 1, "b": 2}, id="add"),  # readOnlyHint: true
    tool_call("tools_echo", {"text": "hi"}, id="echo"),  # no annotations
    tool_call("tools_delete_file", {"path": "x"}, id="delete"),  # readOnlyHint: false, destructive
)


async def test_default_read_only_tools_run_others_ask(make_service: ServiceFactory, llm: FakeLLM) -> None:
    svc = make_service()
    asked = answer(svc, {"echo": "once", "delete_file": "reject"})
    llm.add(Reply.of(*CALLS))
    llm.add(Reply.of(text("done")))
    session = svc.create(title="no title request")
    await svc.chat(session.id, "go")
    out = results(llm.requests[-1])
    assert out["add"] == "3" and out["echo"] == "echo: hi"
    assert "rejected" in out["delete"] and "deleted" not in out["delete"]
    assert sorted(e.metadata["tool"] for e in asked) == ["delete_file", "echo"]
    ask = next(e for e in asked if e.metadata["tool"] == "echo")
    assert ask.permission == "mcp" and ask.pattern == "tools_echo" and ask.metadata["server"] == "tools"


async def test_rules_per_server_and_tool_with_wildcards(make_service: ServiceFactory, llm: FakeLLM) -> None:
    svc = make_service({"mcp": {"tools_*": "ask", "tools_echo": "allow", "tools_delete_*": "deny"}})
    asked = answer(svc, {"add": "always"})
    llm.add(Reply.of(*CALLS))
    llm.add(Reply.of(tool_call("tools_add", {"a": 5, "b": 5}, id="again")))
    llm.add(Reply.of(text("done")))
    session = svc.create(title="no title request")
    await svc.chat(session.id, "go")
    first, last = results(llm.requests[-2]), results(llm.requests[-1])
    assert first["add"] == "3" and first["echo"] == "echo: hi"  # the server rule asks even a read-only tool
    assert "denied by the configuration" in first["delete"]
    assert last["again"] == "10"  # "always" remembered the tool for the session
    assert [e.metadata["tool"] for e in asked] == ["add"]


async def test_headless_rejects_asks_and_says_how_to_allow(make_service: ServiceFactory, llm: FakeLLM) -> None:
    svc = make_service(mode="reject")
    llm.add(Reply.of(*CALLS[:2]))
    llm.add(Reply.of(text("done")))
    session = svc.create(title="no title request")
    await svc.chat(session.id, "go")
    out = results(llm.requests[-1])
    assert out["add"] == "3"
    assert "non-interactive" in out["echo"] and '"permission": {"mcp": {"tools_echo": "allow"}}' in out["echo"]


async def test_the_plan_agent_asks_for_tools_that_are_not_read_only(make_service: ServiceFactory,
                                                                     llm: FakeLLM) -> None:
    svc = make_service({"mcp": "allow"})
    asked = answer(svc, {})
    llm.add(Reply.of(*CALLS[:2]))
    llm.add(Reply.of(text("done")))
    session = svc.create(title="no title request", agent="plan")
    await svc.chat(session.id, "go")
    out = results(llm.requests[-1])
    assert out["add"] == "3" and "rejected" in out["echo"]
    assert [e.metadata["tool"] for e in asked] == ["echo"]
