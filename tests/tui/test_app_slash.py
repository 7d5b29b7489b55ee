"""The `/` menu and slash commands (issue 12.12): a lone `/` always opens the menu, Enter on a complete command runs
it, and `/init` shows a short line instead of its whole template."""

from __future__ import annotations

import json

from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.text_input import TextInputDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


async def test_a_lone_slash_always_opens_the_command_menu(make_app, llm, title_llm):
    llm.add(Reply.of(text("Hi.")))
    title_llm.add(Reply.of(text("Slash")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await type_text(pilot, "/")
        assert composer.menu_open
        await pilot.press("escape")
        assert not composer.menu_open
        await pilot.press("enter")  # a lone "/" is not sent to the model: the menu comes back
        await pilot.pause()
        assert composer.menu_open and composer.text == "/" and not app.service.list()
        await pilot.press("backspace")
        await type_text(pilot, "/")
        assert composer.menu_open
        await pilot.press("backspace")
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.service.list() and not app.service.busy_sessions(), what="the reply")
        await pilot.press("up")  # history: "hello"
        assert composer.text == "hello"
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "/")
        assert composer.menu_open
        await pilot.press("escape", "backspace")
        await type_text(pilot, "x /")
        assert not composer.menu_open  # only at the start of the prompt


async def test_enter_on_a_complete_command_runs_it(make_app, make_service):
    service = make_service()
    session = service.create(title="Old title")
    app = make_app(service, session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/rename")  # takes an optional argument: Enter runs it without one
        await pilot.press("enter")
        await wait_for_screen(pilot, TextInputDialog)
        await pilot.press("escape")
        await type_text(pilot, "/new")
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.session_id is None and app.main.composer.text == ""


async def test_init_shows_a_short_line_not_its_template(make_app, llm, title_llm):
    llm.add(Reply.of(text("Wrote AGENTS.md.")))
    title_llm.add(Reply.of(text("Init")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/init")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.service.list() and not app.service.busy_sessions()
                       and "Wrote AGENTS.md." in screen_text(app), what="the reply")
        shown = screen_text(app)
        assert "Asked the model to write AGENTS.md" in shown
        assert "Create or improve the file" not in shown  # the template's first words
        assert "Create or improve the file `AGENTS.md`" in json.dumps(llm.requests[0].messages[-1])
    # Reopened later, it still reads the same.
    app = make_app(app.service, session_id=app.service.list()[0].id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Wrote AGENTS.md." in screen_text(app), what="the session")
        assert "Asked the model to write AGENTS.md" in screen_text(app)
        assert "Create or improve the file" not in screen_text(app)
