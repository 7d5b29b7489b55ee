"""What a streaming frame repaints: the new lines, not the scrollbar beside them when it looks the same.

Textual repaints the rectangle covering everything marked in a frame, so one needless mark on the scrollbar (a
column the height of the log) turned a one-line update into a repaint of the whole log.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.scrollbar import ScrollBar

from agent_tui.tui.transcript import Transcript, demo
from tests.tui.test_transcript_widget import SIZE, long_history, reply_events
from tests.tui.transcript_apps import TranscriptApp, settle


def marked(widget: ScrollBar) -> bool:
    """True if the widget is marked for a repaint in the next frame."""
    return bool(widget._repaint_regions)


def drawn(bar: ScrollBar) -> list[str]:
    """The scrollbar's cells as painted (from its line cache) and as rendered from its state now."""
    region = Region(0, 0, bar.size.width, bar.size.height)
    return [repr(list(strip)) for strip in bar.render_lines(region)]


def fresh(bar: ScrollBar) -> list[str]:
    bar._styles_cache.clear()
    return drawn(bar)


async def test_a_new_line_under_a_screenful_does_not_repaint_the_scrollbar() -> None:
    # Less than a screenful: the bar is an empty track whatever the content's height.
    app = TranscriptApp(demo.full_conversation()[:1])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        bar = log.vertical_scrollbar
        text = "\n\n".join(f"Line {i} of a short reply." for i in range(8))
        events = reply_events(text, pieces=8)
        for event in events[1:]:
            await settle(pilot, log)
            assert not marked(bar)
            log.apply(event)
            log.mark_changed([])  # the frame's flush (what the frame timer runs), now, before the frame paints
            assert log.renders and log.virtual_size.height > 0
            assert not marked(bar), "the bar was marked for a repaint though it looks the same"
            assert log.max_scroll_y == 0
        await settle(pilot, log)
        assert drawn(bar) == fresh(bar)


async def test_the_scrollbar_repaints_when_its_thumb_moves_and_always_shows_the_position() -> None:
    app = TranscriptApp(long_history(30))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        bar = log.vertical_scrollbar
        assert drawn(bar) == fresh(bar)
        await pilot.press("home")
        await settle(pilot, log)
        assert drawn(bar) == fresh(bar)
        top = drawn(bar)
        await pilot.press("end")
        await settle(pilot, log)
        assert drawn(bar) != top
        text = "\n\n".join(f"Paragraph {i} of a long reply." for i in range(40))
        for event in reply_events(text, pieces=20):
            log.apply(event)
            await settle(pilot, log)
            assert drawn(bar) == fresh(bar), "the bar shows an old thumb"
        assert log.scroll_y == log.max_scroll_y


async def test_the_end_of_a_reply_is_sent_to_the_terminal_before_anything_else_runs() -> None:
    # Textual paints from a timer that resumes once the screen's queue is idle; the engine ran on meanwhile (9-20
    # ms finishing a step), so the last words reached the terminal 14-39 ms after their chunk. Now the event that
    # ends the part paints them itself.
    from tests.tui.test_transcript_widget import finish_events

    app = TranscriptApp(demo.full_conversation()[:1])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        text = "Nearly done with the answer and then THE-LAST-WORDS"
        for event in reply_events(text, pieces=5)[:-1]:
            log.apply(event)
        await settle(pilot, log)
        painted: list[str] = []
        display = app._display

        def recording(screen, update):  # type: ignore[no-untyped-def]
            painted.append("".join(segment.text for segment in app.console.render(update)) if update else "")
            return display(screen, update)

        app._display = recording  # type: ignore[method-assign]
        end, message = finish_events(text)
        log.apply(end)  # no await: nothing else may run before the paint
        assert painted and "THE-LAST-WORDS" in painted[-1]
        log.apply(message)
        assert not log._repaint_regions  # the footer too
        await settle(pilot, log)


async def test_the_scrollbar_takes_the_new_colours_when_the_theme_or_focus_changes() -> None:
    app = TranscriptApp(long_history(30))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        bar = log.vertical_scrollbar
        before = drawn(bar)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot, log)
        await pilot.pause(0.1)
        assert drawn(bar) == fresh(bar)
        assert drawn(bar) != before
        log.focus()
        await pilot.pause(0.1)
        assert drawn(bar) == fresh(bar)
        idle = drawn(bar)
        await pilot.hover(offset=(bar.region.x, bar.region.y + 2))  # hover colours
        await pilot.pause(0.1)
        assert bar.mouse_over
        assert drawn(bar) == fresh(bar)
        assert drawn(bar) != idle
