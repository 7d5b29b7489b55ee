"""Pilot tests of slash commands, the command palette, prompt editing and history, and the sidebar."""

from __future__ import annotations

import json

from agent_tui.core.models import AssistantMessage
from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.mcp import McpDialog
from agent_tui.tui.dialogs.model_picker import ModelPickerDialog
from agent_tui.tui.dialogs.session_switcher import SessionSwitcherDialog
from agent_tui.tui.dialogs.text_input import TextInputDialog
from agent_tui.tui.state import PromptHistory
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


async def send(pilot, message: str) -> None:
    app = pilot.app
    await type_text(pilot, message)
    await pilot.press("enter")
    service = app.service
    await wait_for(pilot, lambda: app.main.session_id is not None and not service.busy_sessions(), what="the turn")


async def run_command(pilot, line: str) -> None:
    await type_text(pilot, line)
    if pilot.app.main.composer.menu_open:
        await pilot.press("escape")  # close the completion menu: send the line as typed
    await pilot.press("enter")
    await pilot.pause()


async def test_rename_export_and_copy(make_app, llm, title_llm, project_dir):
    llm.add(Reply.of(text("The **answer** is 42.")))
    title_llm.add(Reply.of(text("Answer")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        session_id = app.main.session_id
        await run_command(pilot, "/rename Life and everything")
        assert app.service.get(session_id).title == "Life and everything"
        await wait_for(pilot, lambda: "Life and everything" in screen_text(app), what="the new title")
        await run_command(pilot, "/rename")
        await wait_for_screen(pilot, TextInputDialog)
        await type_text(pilot, "Renamed in a dialog")  # the old title is selected, so typing replaces it
        await pilot.press("enter")
        assert app.service.get(session_id).title == "Renamed in a dialog"
        await run_command(pilot, "/export")
        exported = list(project_dir.glob("session-*.md"))
        assert len(exported) == 1
        content = exported[0].read_text()
        assert "# Renamed in a dialog" in content and "The **answer** is 42." in content
        await run_command(pilot, "/export notes.md")  # exists already: refused, not overwritten
        assert (project_dir / "notes.md").read_text() == "# Notes\n"
        assert any("already exists" in str(n.message) for n in app._notifications)
        await run_command(pilot, "/copy")
        assert app.clipboard == "The **answer** is 42."


async def test_new_sessions_mcp_help_and_unknown_commands(make_app, make_service, llm, title_llm):
    service = make_service()
    first = service.create(title="First one")
    app = make_app(service, session_id=first.id)
    async with app.run_test(size=SIZE) as pilot:
        await run_command(pilot, "/new")
        assert app.main.session_id is None
        await run_command(pilot, "/sessions")
        await wait_for_screen(pilot, SessionSwitcherDialog)
        assert "First one" in screen_text(app)
        await pilot.press("enter")
        assert app.main.session_id == first.id
        second = service.create(title="Second one")  # newest: listed first
        app.main.show_session(second.id)
        await run_command(pilot, "/sessions")
        await wait_for_screen(pilot, SessionSwitcherDialog)
        await pilot.press("enter")  # the switcher starts on another session than the one on screen
        assert app.main.session_id == first.id
        await run_command(pilot, "/mcp")
        await wait_for_screen(pilot, McpDialog)
        assert "No MCP server is configured" in screen_text(app)
        await pilot.press("escape")
        await run_command(pilot, "/frobnicate now")
        assert any("Unknown command /frobnicate" in str(n.message) for n in app._notifications)
        assert app.main.composer.text == "/frobnicate now"  # kept for fixing
        await pilot.press("ctrl+a", "ctrl+k")
        await run_command(pilot, "/quit")
        await wait_for(pilot, lambda: not app.is_running, what="the exit")


async def test_slash_completion_runs_the_chosen_command(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/mo")
        await wait_for(pilot, lambda: app.main.composer.menu_open, what="the command menu")
        assert "/models" in screen_text(app) and "Choose the model" in screen_text(app)
        await pilot.press("enter")
        await wait_for_screen(pilot, ModelPickerDialog)
        await pilot.press("escape")
        assert app.main.composer.text == ""


async def test_command_palette_offers_the_commands(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await type_text(pilot, "models")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for_screen(pilot, ModelPickerDialog)


async def test_compact_and_init_go_through_the_service(make_app, llm, title_llm):
    llm.add(Reply.of(text("Hello.")))
    llm.add(Reply.of(text("Summary of the talk.")))
    llm.add(Reply.of(text("Wrote AGENTS.md")))
    title_llm.add(Reply.of(text("Compact")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await run_command(pilot, "/compact")
        assert any("Nothing to compact" in str(n.message) for n in app._notifications)
        await send(pilot, "hi")
        session_id = app.main.session_id
        await run_command(pilot, "/compact")
        service = app.service
        await wait_for(pilot, lambda: len(service.messages(session_id)) == 3 and not service.busy_sessions(),
                       what="the summary")
        summary = service.messages(session_id)[-1]
        assert isinstance(summary.info, AssistantMessage) and summary.info.summary
        await run_command(pilot, "/init")
        await wait_for(pilot, lambda: len(llm.requests) == 3 and not service.busy_sessions(), what="/init")
        assert "AGENTS.md" in json.dumps(llm.requests[2].messages[-1])


async def test_prompt_newlines_and_history(make_app, llm, title_llm, tmp_path):
    llm.add(Reply.of(text("One.")))
    llm.add(Reply.of(text("Two.")))
    title_llm.add(Reply.of(text("History")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await type_text(pilot, "line one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "line two")
        await pilot.press("shift+enter")
        await type_text(pilot, "three")
        assert composer.text == "line one\nline two\nthree"
        assert app.main.session_id is None  # nothing sent
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.session_id and not app.service.busy_sessions(), what="turn 1")
        await send(pilot, "second message")
        await pilot.press("up")
        assert composer.text == "second message"
        await pilot.press("up")
        assert composer.text == "line one\nline two\nthree"
        await pilot.press("down", "down", "down")  # through the lines of the entry, then past the newest
        assert composer.text == ""
    saved = PromptHistory.load(tmp_path / "history.json")
    assert saved.entries == ["line one\nline two\nthree", "second message"]


async def test_sidebar_filter_searches_message_text_and_ctrl_b_hides_it(make_app, llm, title_llm):
    llm.add(Reply.of(text("Bananas are yellow.")))
    title_llm.add(Reply.of(text("Fruit")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "what colour are bananas")
        app.service.create(title="Unrelated")
        await pilot.pause()
        sidebar = app.main.sidebar
        await wait_for(pilot, lambda: len(sidebar.sessions) == 2, what="both sessions listed")
        sidebar.query_one("#session-filter").focus()
        await type_text(pilot, "yellow")
        await pilot.pause()
        assert [s.title for s in sidebar.sessions] == ["Fruit"]
        await pilot.press("ctrl+b")
        assert not sidebar.display
        assert app.focused is app.main.composer.input
        await pilot.press("ctrl+b")
        assert sidebar.display
