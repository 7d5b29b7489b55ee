"""Pilot tests of /mcp (reconnect, disable and enable a real MCP server for this session) and /cost."""

from __future__ import annotations

import sys
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.mcp.manager import McpManager
from agent_tui.testing.fake_llm import Reply, text, usage
from agent_tui.tui.dialogs.cost import CostDialog
from agent_tui.tui.dialogs.mcp import McpDialog
from tests.tui.conftest import SIZE, screen_text, wait_for, wait_for_screen
from tests.tui.test_app_commands import run_command, send

TOOLS_SERVER = Path(__file__).parents[1] / "mcp" / "servers" / "tools_server.py"


def mcp_config() -> dict:
    return {
        "tools": {"type": "local", "command": [sys.executable, str(TOOLS_SERVER)]},
        "broken": {"type": "local", "command": [sys.executable, "-c", "import sys; sys.exit(3)"]},
    }


def state(app, name: str) -> str | None:
    event = app.mcp_states.get(name)
    return event.status if event else None


async def test_mcp_dialog_reconnects_disables_and_enables_servers(make_app, make_service):
    service = make_service(mcp=mcp_config())
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        manager = McpManager(service.config.mcp, service.bus, log_dir=paths.log_dir(),
                             directory=service.project.directory)
        service.mcp = manager
        manager.start()
        await wait_for(pilot, lambda: state(app, "tools") == "ready" and state(app, "broken") == "failed",
                       what="the servers to settle", tries=1500)
        await run_command(pilot, "/mcp")
        await wait_for_screen(pilot, McpDialog)
        shown = screen_text(app)
        assert "tools" in shown and "ready" in shown and "broken" in shown and "failed" in shown
        await pilot.press("e")  # the first server: tools
        await wait_for(pilot, lambda: state(app, "tools") == "disabled", what="tools disabled")
        assert not [t for t in manager.tools() if t.name.startswith("tools_")]
        assert "tools –" in str(app.main.query_one("#status-right").render())
        await run_command(pilot, "/mcp")
        await wait_for_screen(pilot, McpDialog)
        await pilot.press("e")
        await wait_for(pilot, lambda: state(app, "tools") == "ready", what="tools enabled again", tries=1500)
        assert manager.tools()
        seen: list[str] = []
        service.bus.subscribe_all(lambda e: seen.append(getattr(e, "status", "")) if getattr(e, "server", "")
                                  == "broken" else None)
        await run_command(pilot, "/mcp")
        await wait_for_screen(pilot, McpDialog)
        await pilot.press("down", "r")  # reconnect the broken one: it is tried again (and fails again)
        await wait_for(pilot, lambda: seen[-1:] == ["failed"] and "starting" in seen, what="a new attempt",
                       tries=1500)
        await manager.shutdown()


async def test_cost_dialog_by_model_and_kind(make_app, llm, title_llm):
    llm.add(Reply.of(text("One."), usage(10_000, 1_000, reasoning=500, cache_read=2_000)))
    title_llm.add(Reply.of(text("Costs")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await run_command(pilot, "/cost")
        assert any("Nothing spent yet" in str(n.message) for n in app._notifications)
        await send(pilot, "hello")
        await run_command(pilot, "/cost")
        await wait_for_screen(pilot, CostDialog)
        shown = screen_text(app)
        # MODEL prices: $3 in, $15 out per million (reasoning billed as output; no cache price set).
        assert "Total $0.0525" in shown
        assert "fake/m" in shown and "config prices" in shown
        for row in ("input", "10k", "$0.0300", "output", "1k", "$0.0150", "reasoning", "500", "$0.0075",
                    "cache read", "2k"):
            assert row in shown, row
