"""The theme picker previews on the real conversation (issue 12.6): with an ANSI theme the dimmed backdrop could
not be blended and the conversation behind the dialog went blank."""

from __future__ import annotations

from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.themes import ThemeDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


async def test_the_theme_preview_shows_the_conversation(make_app, llm, title_llm):
    llm.add(Reply.of(text("A reply that stays visible while themes change.")))
    title_llm.add(Reply.of(text("Themes")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "stays visible" in screen_text(app), what="the reply")
        await pilot.press("ctrl+t")
        await wait_for_screen(pilot, ThemeDialog)
        before = app.theme
        for _ in range(3):
            await pilot.press("down")
            assert app.theme != before
            # A new theme repaints the log; on a loaded machine the next frame can take a moment to come.
            await wait_for(pilot, lambda: "stays visible" in (shown := screen_text(app)) and "hello" in shown,
                           what="the conversation behind the theme picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "stays visible" in screen_text(app), what="the conversation after Esc")
        assert app.theme == before
