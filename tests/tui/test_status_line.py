"""The status line (issues 12.10 and 12.7): each figure says what it is, and a narrow terminal drops whole items
by priority instead of cutting words."""

from __future__ import annotations

from textual.content import Content

from agent_tui.testing.fake_llm import Reply, text, usage
from agent_tui.tui.widgets.status_items import Item, fit
from tests.tui.conftest import screen_text, type_text, wait_for


def test_fit_shortens_then_drops_the_least_important_items_whole():
    items = [
        Item(8, [Content("provider/model-name"), Content("model-name")]),
        Item(6, [Content("session $0.04"), Content("$0.04")]),
        Item(1, [Content("last turn 6k tokens"), Content("turn 6k")]),
        Item(9, [Content("● working  esc to stop"), Content("● working")], right=True),
    ]
    left, right = fit(items, 200)
    assert (left.plain, right.plain) == ("provider/model-name │ session $0.04 │ last turn 6k tokens",
                                         "● working  esc to stop")
    left, right = fit(items, 60)
    assert (left.plain, right.plain) == ("provider/model-name │ session $0.04", "● working  esc to stop")
    left, right = fit(items, 40)
    assert (left.plain, right.plain) == ("model-name", "● working  esc to stop")
    left, right = fit(items, 20)
    assert (left.plain, right.plain) == ("", "● working")


def status_row(app) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


async def test_the_status_line_names_its_figures_and_fits_a_narrow_terminal(make_app, llm, title_llm):
    llm.add(Reply.of(text("Hello."), usage(1_200, 34)))
    title_llm.add(Reply.of(text("Status")))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.service.list() and not app.service.busy_sessions(), what="the reply")
        await pilot.pause(0.1)
        row = status_row(app)
        assert "context 1.2k · 1% of 100k" in row  # the last request's size, of the model's window
        assert "session <$0.01" in row  # the whole session's cost
        assert "turn 1.2k" in row  # the turn's tokens, apart from the context figure (short form: the sidebar is open)
        assert row.rstrip().endswith("idle")
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.2)
        row = status_row(app).strip()
        assert row.endswith("idle") and "fake/m" in row
        words = {"build", "fake/m", "m", "│", "ctx", "context", "1.2k", "·", "1%", "of", "100k", "session", "<$0.01",
                 "last", "turn", "tokens", "idle"}
        assert set(row.split()) <= words, row  # nothing cut mid-word
        await pilot.resize_terminal(30, 20)
        await pilot.pause(0.2)
        row = status_row(app).strip()
        assert set(row.split()) <= words and row.endswith("idle"), row


async def test_figures_update_without_laying_out_the_screen_and_stay_current(make_app, llm, title_llm):
    # A layout of the screen costs 5–12 ms; the figures change several times per streamed reply, and only a change
    # of the right side's width (its text decides it) moves anything.
    llm.add(Reply.of(text("Hello."), usage(1_200, 34)))
    title_llm.add(Reply.of(text("Status")))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.service.list() and not app.service.busy_sessions(), what="the reply")
        await pilot.pause(0.1)
        status = app.main.status
        left, right = status.query_one("#status-left"), status.query_one("#status-right")
        layouts = left._layout_updates + right._layout_updates
        status.context_used = 5_000  # a figure on the left changes: no layout
        status.turn_tokens = 9_000
        await pilot.pause(0.1)
        assert "context 5k · 5% of 100k" in status_row(app)
        assert "turn 9k" in status_row(app)
        status.queued = 0  # unchanged: nothing at all
        await pilot.pause(0.1)
        assert left._layout_updates + right._layout_updates == layouts
        status.busy = True  # the right side gets wider: laid out once, then shown whole
        await pilot.pause(0.1)
        assert right._layout_updates > layouts - left._layout_updates
        assert status_row(app).rstrip().endswith("esc to stop")
        status.busy = False
        await pilot.pause(0.1)
        assert status_row(app).rstrip().endswith("idle")
        assert "esc to stop" not in status_row(app)
