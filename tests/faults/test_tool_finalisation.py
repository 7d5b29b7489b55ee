"""No tool error of any kind leaves a tool part "running" (issue 10): a result that cannot be stored is stored as
the call's error instead, and the turn goes on."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.models import ToolPart
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.core.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from agent_tui.testing.fake_llm import Reply, text, tool_call


class _NoParams(BaseModel):
    pass


class _Unstorable(Tool):
    """Returns metadata JSON cannot hold (an object) and a name that is not UTF-8."""

    name = "unstorable"
    Params = _NoParams

    @property
    def description(self) -> str:
        return "test tool"

    async def execute(self, params: BaseModel, ctx: ToolContext) -> ToolResult:
        return ToolResult(title="caf\udce9", output="ok \udcff", metadata={"handle": object()})


class _LiveUnstorable(Tool):
    """Publishes live metadata with surrogates while it runs (as bash does with a command's output)."""

    name = "live"
    Params = _NoParams

    @property
    def description(self) -> str:
        return "test tool"

    async def execute(self, params: BaseModel, ctx: ToolContext) -> ToolResult:
        ctx.update(None, {"output": "live \udce9"})
        return ToolResult(title="live", output="done", metadata={})


async def test_unstorable_results_end_as_errors_not_running(llm, tmp_path: Path):  # type: ignore[no-untyped-def]
    project = tmp_path / "proj"
    project.mkdir()
    config = Config.model_validate({"model": "fake/m", "small_model": "titles/m", "provider": {
        "fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test", "models": {"m": {}}},
        "titles": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test", "models": {"m": {}}},
    }})
    storage = Storage(tmp_path / "db" / "agent-tui.db")
    service = SessionService(project=Project.discover(project), config=config, storage=storage, bus=Bus(),
                             tools=ToolRegistry([_Unstorable(), _LiveUnstorable()]), retry_base_delay=0.01)
    llm.add(Reply.of(tool_call("unstorable", {}, id="u1"), tool_call("live", {}, id="l1")))
    llm.add(Reply.of(text("after the tools")))
    try:
        session = service.create()
        reply = await service.chat(session.id, "go")
        assert reply.error is None
        reopened = Storage(tmp_path / "db" / "agent-tui.db")
        parts = {p.call_id: p for m in reopened.list_messages(session.id) for p in m.parts if isinstance(p, ToolPart)}
        reopened.close()
        assert parts["u1"].state.status == "error" and "could not be stored" in (parts["u1"].state.error or "")
        assert parts["l1"].state.status == "completed"
        assert parts["l1"].state.metadata["output"] == "live \\xe9"
        texts = [p.text for m in service.messages(session.id) for p in m.parts if p.type == "text"]
        assert "after the tools" in texts
    finally:
        await service.shutdown()
        storage.close()
