"""An idle app runs no timers: nothing polls while nothing changes (a cursor's blink is the one exception)."""

from __future__ import annotations

from textual.geometry import Region
from textual.timer import Timer

from agent_tui.testing.fake_llm import Reply, delay, text, tool_call, usage
from tests.tui.conftest import screen_text, type_text, wait_for

SIZE = (120, 40)


def running_timers(app) -> list[Timer]:
    """Timers that are neither paused nor finished, on the app, its screens and every widget."""
    nodes = [app, *app.screen_stack, *app.screen.walk_children(with_self=False)]
    found: list[Timer] = []
    for node in nodes:
        for timer in list(getattr(node, "_timers", ())):
            task = timer._task
            if task is None or task.done() or not timer._active.is_set():
                continue
            found.append(timer)
    return found


def non_blink(app) -> list[str]:
    blink = []
    for node in app.screen.walk_children(with_self=False):
        for attr in ("blink_timer", "_blink_timer"):
            timer = getattr(node, attr, None)
            if timer is not None:
                blink.append(timer)
    return [repr(t._target_repr) + " " + t.name for t in running_timers(app) if t not in blink]


async def test_no_timer_runs_when_idle_after_start_and_after_a_turn(make_app, llm, title_llm, project_dir):
    llm.add(Reply.of(tool_call("read", {"file_path": "hello.py"}, id="r"), usage(100, 5)))
    llm.add(Reply.of(text("It prints hello."), usage(120, 5)))
    title_llm.add(Reply.of(text("Hello")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert non_blink(app) == []
        await type_text(pilot, "what does hello.py do?")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the reply")
        await wait_for(pilot, lambda: service.get(service.list()[0].id).title == "Hello", what="the title")
        # A turn's end leaves one one-shot timer: memory is given back TRIM_DELAY later (runner.py). It runs once.
        await wait_for(pilot, lambda: non_blink(app) == [], what="the timers to end")  # up to 30 s
        await pilot.pause(0.5)
        assert non_blink(app) == []


def blink_running(area) -> bool:
    timer = getattr(area, "blink_timer", None) or getattr(area, "_blink_timer", None)
    return timer is not None and timer in running_timers(area.app)


def cursor_drawn(area) -> bool:
    """The prompt's cursor cell is painted in the cursor's colours (what the terminal would show now)."""
    area._styles_cache.clear()
    column, row = area.cursor_screen_offset - area.region.offset
    strip = area.render_lines(Region(0, 0, *area.outer_size))[row]
    cursor = area._theme.cursor_style
    return any(segment.style is not None and segment.style.bgcolor == cursor.bgcolor
               for segment in strip.crop(column, column + 1))


async def test_the_cursor_stays_lit_while_a_reply_streams_and_blinks_again_when_idle(make_app, llm, title_llm):
    # Each blink is a frame of its own; while the log streams it is a steady lit cursor instead.
    llm.add(Reply.of(text("Thinking it over."), delay(3.0), text(" Done."), usage(100, 5)))
    title_llm.add(Reply.of(text("Blink")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        area = app.main.composer.input
        await pilot.pause(0.3)
        assert area.cursor_blink and blink_running(area)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Thinking it over." in screen_text(app), what="the reply streaming")
        assert app.main.status.busy
        assert not area.cursor_blink and not blink_running(area)
        await type_text(pilot, "next")  # typed while the reply streams: the cursor is drawn after it
        for _ in range(3):  # across more than a blink's half-period
            await pilot.pause(0.3)
            assert cursor_drawn(area)
        assert app.main.status.busy  # (the reply waits 3 s: all of the above happened while it streamed)
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the reply")
        await wait_for(pilot, lambda: not app.main.status.busy, what="idle")
        assert area.cursor_blink and blink_running(area)
