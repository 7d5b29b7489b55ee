"""The session sidebar (issue 12.11): the session on screen is always marked, same-title sessions are told apart,
the filter has a key, and Enter in it opens the selected match."""

from __future__ import annotations

from agent_tui.core.models import Session, SessionTime, TextPart, UserMessage
from agent_tui.tui.widgets.sidebar import LIST_LIMIT, Sidebar
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


def _listed_before_the_rest(monkeypatch) -> list[int]:
    """How many entries the list held each time the held-back rest was added (after a refresh)."""
    counts: list[int] = []
    add_rows = Sidebar._add_rows

    def recording(self: Sidebar, build: int, *args: object) -> None:
        if build == self._builds:  # not the rows of a list rebuilt since
            counts.append(self.query_one("#session-list").option_count)
        add_rows(self, build, *args)

    monkeypatch.setattr(Sidebar, "_add_rows", recording)
    return counts


def _sessions(service, count: int) -> list[Session]:
    sessions = [Session(project_id=service.project.id, directory=str(service.project.directory),
                        title=f"Session {n}", time=SessionTime(created=1_000 + n, updated=1_000 + n))
                for n in range(count)]
    service.storage.put_all(sessions=sessions)
    return sessions


async def test_a_long_list_shows_a_screenful_at_the_first_frame_then_everything(make_app, make_service, monkeypatch):
    # Textual measures every entry the list holds; before the first frame only those that fit on screen are in it.
    service = make_service()
    _sessions(service, LIST_LIMIT)
    counts = _listed_before_the_rest(monkeypatch)
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        options = app.main.sidebar.query_one("#session-list")
        await wait_for(pilot, lambda: options.option_count == LIST_LIMIT, what="every session listed")
        assert counts and SIZE[1] // 2 < counts[0] < LIST_LIMIT  # a screenful first
        assert [options.get_option_at_index(i).prompt.plain.splitlines()[0] for i in (0, LIST_LIMIT - 1)] == [
            f"Session {LIST_LIMIT - 1}", "Session 0"]
        await pilot.press("ctrl+g", "end")  # the oldest can be reached
        await pilot.pause()
        assert "Session 0" in screen_text(app)


async def test_the_session_on_screen_is_among_the_first_rows(make_app, make_service, monkeypatch):
    service = make_service()
    sessions = _sessions(service, LIST_LIMIT + 20)
    oldest_listed = sessions[20]  # the list holds the newest LIST_LIMIT: this one is its last entry
    counts = _listed_before_the_rest(monkeypatch)
    app = make_app(service, session_id=oldest_listed.id)
    async with app.run_test(size=SIZE) as pilot:
        options = app.main.sidebar.query_one("#session-list")
        await pilot.pause()
        assert counts == []  # every entry was needed at once
        assert options.option_count == LIST_LIMIT
        assert options.get_option_at_index(options.highlighted).id == oldest_listed.id
        assert [options.get_option_at_index(i).id for i in range(LIST_LIMIT)] == [
            s.id for s in reversed(sessions[20:])]
