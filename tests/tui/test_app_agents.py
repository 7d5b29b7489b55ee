"""Pilot tests of the agent switch: Tab on an empty prompt, /agent, and what the screen shows."""

from __future__ import annotations

from pathlib import Path

from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.agents import AgentDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen
from tests.tui.test_app_commands import run_command, send


def status_text(app) -> str:
    return str(app.main.query_one("#status-left").render())


async def test_tab_on_an_empty_prompt_cycles_primary_agents_and_the_session_keeps_it(make_app, llm, title_llm):
    llm.add(Reply.of(text("A plan.")))
    title_llm.add(Reply.of(text("Planning")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.main.composer.input
        assert prompt.border_title == "build" and status_text(app).startswith("build")
        await pilot.press("tab")
        assert prompt.border_title == "plan" and status_text(app).startswith("plan")
        assert prompt.has_focus  # Tab did not move the focus away
        await type_text(pilot, "x")
        await pilot.press("tab")  # not empty: Tab moves the focus as before, the agent stays
        assert prompt.border_title == "plan" and not prompt.has_focus
        prompt.focus()
        await pilot.press("backspace")
        await send(pilot, "how would you do it?")
        session_id = app.main.session_id
        assert app.service.get(session_id).agent == "plan"
        assert "plan mode" in llm.requests[-1].messages[0]["content"]
        await pilot.press("tab")  # back to build, stored on the session at once
        assert app.service.get(session_id).agent == "build"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert prompt.border_title == "build"  # new sessions take the last choice


async def test_agent_command_dialog_argument_and_errors(make_app, project_dir: Path):
    folder = project_dir / ".agent-tui" / "agents"
    folder.mkdir(parents=True)
    (folder / "docs.md").write_text("---\ndescription: Writes documentation\ncolor: '#ff00ff'\n---\nWrite docs.\n")
    (folder / "broken.md").write_text("---\ntemperature: [\n---\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("broken.md:3: invalid YAML" in str(n.message) for n in app._notifications),
                       what="the notice about the bad agent file")
        await run_command(pilot, "/agent")
        dialog = await wait_for_screen(pilot, AgentDialog)
        shown = screen_text(app)
        assert "Writes documentation" in shown and "Read-only" in shown and "general" not in shown
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AgentDialog) and dialog is not None
        prompt = app.main.composer.input
        assert prompt.border_title == "docs" and prompt.styles.border.top[1].hex.lower() == "#ff00ff"
        await run_command(pilot, "/agent plan")
        assert prompt.border_title == "plan"
        await run_command(pilot, "/agent nope")
        assert any("No agent named 'nope'" in str(n.message) for n in app._notifications)
        await run_command(pilot, "/agent general")
        assert any("is a sub-agent" in str(n.message) for n in app._notifications)
        assert prompt.border_title == "plan"
