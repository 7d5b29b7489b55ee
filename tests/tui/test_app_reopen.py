"""Reopening a session after the welcome screen of a new one (Ctrl+N) draws it; it used to crash the log."""

from __future__ import annotations

from agent_tui.testing.fake_llm import Reply, text
from tests.tui.conftest import SIZE, screen_text, wait_for
from tests.tui.test_app_commands import send


async def test_a_session_reopened_after_a_new_one_is_drawn(make_app, llm, title_llm):
    llm.add(Reply.of(text("The first answer.")))
    title_llm.add(Reply.of(text("First")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first question")
        session_id = app.main.session_id
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.main.session_id is None
        app.main.show_session(session_id)
        await wait_for(pilot, lambda: "The first answer." in screen_text(app), what="the reopened session")
        assert app.is_running
