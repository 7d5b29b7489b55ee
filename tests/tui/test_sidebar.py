"""The session sidebar (issue 12.11): the session on screen is always marked, same-title sessions are told apart,
the filter has a key, and Enter in it opens the selected match."""

from __future__ import annotations

from agent_tui.core.models import TextPart, UserMessage
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for


def _with_message(service, title: str, first: str) -> str:
    session = service.create(title=title)
    message = UserMessage(session_id=session.id)
    service.storage.put_all(messages=[message], parts=[TextPart(session_id=session.id, message_id=message.id,
                                                                 text=first)])
    return session.id


async def test_sidebar_marks_the_current_session_and_tells_same_titles_apart(make_app, make_service):
    service = make_service()
    older = _with_message(service, "Fix the tests", "the parser tests fail on Windows")
    newer = _with_message(service, "Fix the tests", "the flaky network test times out")
    service.create(title="Other work")
    app = make_app(service, session_id=older)
    async with app.run_test(size=SIZE) as pilot:
        sidebar = app.main.sidebar
        await wait_for(pilot, lambda: "“the parser tests fail on" in screen_text(app), what="previews")
        shown = screen_text(app)
        assert "“the flaky network test" in shown
        assert "1 message" in shown
        assert shown.count("“") == 2  # a unique title needs no preview
        options = sidebar.query_one("#session-list")
        assert options.get_option_at_index(options.highlighted).id == older
        # Moving the list's cursor elsewhere keeps the current session marked.
        await pilot.press("ctrl+g", "up")
        assert options.get_option_at_index(options.highlighted).id != older
        current_row = next(line for line in screen_text(app).splitlines() if "“the parser tests" in line)
        assert "▍" in current_row
        # Switching sessions moves the cursor to the one now on screen.
        app.main.show_session(newer)
        await pilot.pause()
        assert options.get_option_at_index(options.highlighted).id == newer


async def test_the_filter_has_a_key_and_enter_opens_the_selected_match(make_app, make_service):
    service = make_service()
    wanted = _with_message(service, "Rename the module", "please rename utils to helpers")
    _with_message(service, "Something else", "unrelated")
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+f")
        assert app.focused is app.main.sidebar.query_one("#session-filter")
        await type_text(pilot, "helpers")  # searches message text too
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.session_id == wanted, what="the match opened")
        assert app.focused is app.main.composer.input
        # "/" in the list moves to the filter as well.
        await pilot.press("ctrl+g", "slash")
        assert app.focused is app.main.sidebar.query_one("#session-filter")
