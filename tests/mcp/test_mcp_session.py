"""MCP tools through the whole engine: SessionService → litellm → the scripted LLM server, with a real MCP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp_test_support import HarnessFactory, local_server

from agent_tui.core.config import Config
from agent_tui.core.models import ToolPart
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import FakeLLM, Reply, text, tool_call, usage

READY_LIMIT = 30.0


@pytest.fixture
async def service(make_manager: HarnessFactory, llm: FakeLLM, tmp_path: Path) -> AsyncIterator[SessionService]:
    harness = make_manager({"tools": local_server()})
    await harness.manager.wait_ready(READY_LIMIT)
    assert harness.status("tools").status == "ready", harness.status("tools").error
    project = tmp_path / "project"
    project.mkdir()
    config = Config.model_validate({
        "model": "fake/m",
        "provider": {"fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test",
                              "models": {"m": {"limit": {"context": 100_000, "output": 4_000}}}}},
        "permission": {"mcp": "allow"},  # these tests are about calls; test_mcp_permissions.py about asking
    })
    svc = SessionService(
        project=Project.discover(project),
        config=config,
        storage=Storage(tmp_path / "db" / "agent-tui.db"),
        tools=ToolRegistry([]),  # only MCP tools, so the assertions see exactly what the servers offer
        mcp=harness.manager,
        retry_base_delay=0.01,
    )
    yield svc
    await svc.shutdown()
    svc.storage.close()


def tool_results(request: Any) -> dict[str, str]:
    return {m["tool_call_id"]: m["content"] for m in request.messages if m["role"] == "tool"}


def offered(request: Any) -> set[str]:
    return {t["function"]["name"] for t in request.tools or []}


async def test_model_calls_an_mcp_tool_and_gets_its_result(service: SessionService, llm: FakeLLM) -> None:
    llm.add(Reply.of(tool_call("tools_add", {"a": 2, "b": 40}, id="call_add"), usage(100, 10)))
    llm.add(Reply.of(text("The sum is 42."), usage(120, 5)))
    session = service.create(title="mcp")

    reply = await service.chat(session.id, "add 2 and 40")

    assert reply.error is None
    first = llm.requests[0]
    assert {"tools_add", "tools_echo", "tools_fail"} <= offered(first)
    add_schema = next(t for t in first.tools if t["function"]["name"] == "tools_add")["function"]
    assert add_schema["description"] == "Add two integers."
    assert add_schema["parameters"]["required"] == ["a", "b"]
    assert tool_results(llm.requests[1]) == {"call_add": "42"}
    [part] = [p for m in service.messages(session.id) for p in m.parts if isinstance(p, ToolPart)]
    assert (part.tool, part.state.status, part.state.output) == ("tools_add", "completed", "42")


async def test_tool_error_and_crashed_server_reach_the_model(service: SessionService, llm: FakeLLM) -> None:
    llm.add(Reply.of(tool_call("tools_fail", {"message": "disk full"}, id="call_fail")))
    llm.add(Reply.of(tool_call("tools_crash", {}, id="call_crash")))
    llm.add(Reply.of(text("The server is gone; carrying on without it.")))
    session = service.create(title="mcp")

    reply = await service.chat(session.id, "try the tools")

    assert reply.error is None  # the turn goes on
    assert "disk full" in tool_results(llm.requests[1])["call_fail"]
    crash = tool_results(llm.requests[2])["call_crash"]
    assert "MCP server 'tools' failed: the server closed the connection" in crash
    assert not any(name.startswith("tools_") for name in offered(llm.requests[2]))  # withdrawn from the next step
