"""Pilot tests of moving between sessions: new, switch, delete, rename in any order leave a live app."""

from __future__ import annotations

import asyncio
import random

import pytest
from textual.widgets import Static

from agent_tui.testing.fake_llm import Reply, delay, text
from agent_tui.tui.dialogs.base import Dialog
from agent_tui.tui.dialogs.confirm import ConfirmDialog
from agent_tui.tui.dialogs.session_switcher import SessionSwitcherDialog
from agent_tui.tui.dialogs.text_input import TextInputDialog
from agent_tui.tui.errors import GuardedPump
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


async def test_new_then_switch_back_to_a_session_with_a_reply(make_app, make_service, llm, title_llm):
    # Issue 12.1: open a session with a reply, Ctrl+N, Ctrl+S, Enter on the old one: IndexError in the log.
    llm.add(Reply.of(text("An answer that is on screen.")))
    title_llm.add(Reply.of(text("Old session")))
    service = make_service()
    old = service.create(title="Old session")
    await service.chat(old.id, "a question")
    app = make_app(service, session_id=old.id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "An answer that is on screen." in screen_text(app), what="the reply")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SessionSwitcherDialog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.session_id == old.id, what="the switch")
        await pilot.pause(0.1)
        assert app.is_running
        assert "An answer that is on screen." in screen_text(app)


STEPS = 30


async def wait_until(condition, tries: int = 500) -> None:
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def _settle(pilot) -> None:
    app = pilot.app
    await pilot.pause()
    await wait_for(pilot, lambda: app.main.transcript.settled, what="the log to settle")


async def _step(pilot, rng: random.Random, name: str) -> None:
    app = pilot.app
    service = app.service
    if name == "new":
        await pilot.press("ctrl+n")
    elif name == "slash_new":
        await type_text(pilot, "/new")
        await pilot.press("escape", "enter")
    elif name == "switch":
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SessionSwitcherDialog)
        await pilot.press(*["down"] * rng.randrange(3))
        await pilot.press(rng.choice(["enter", "enter", "escape"]))
    elif name == "sidebar":
        await pilot.press("ctrl+g")
        await pilot.press(*["down"] * rng.randrange(3), "enter")
    elif name == "delete":
        await pilot.press("ctrl+g")
        await pilot.press(*["down"] * rng.randrange(2), "d")
        await pilot.pause()
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press(rng.choice(["y", "n"]))
        app.main.composer.input.focus()
    elif name == "delete_elsewhere":  # another instance deletes a session (the bus tells us)
        sessions = service.list()
        if sessions:
            service.delete(rng.choice(sessions).id)
    elif name == "rename":
        await type_text(pilot, f"/rename Renamed {rng.randrange(100)}")
        await pilot.press("escape", "enter")
    elif name == "rename_sidebar":
        await pilot.press("ctrl+g", "r")
        await pilot.pause()
        if isinstance(app.screen, TextInputDialog):
            await type_text(pilot, "x")
            await pilot.press("enter")
        app.main.composer.input.focus()
    elif name == "send":
        await type_text(pilot, f"message {rng.randrange(1000)}")
        await pilot.press("enter")
    if isinstance(app.screen, Dialog):
        await pilot.press("escape")
    await _settle(pilot)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_any_sequence_of_new_switch_delete_rename_leaves_a_live_app(make_app, make_service, llm, title_llm,
                                                                            seed):
    rng = random.Random(seed)
    names = ["new", "slash_new", "switch", "sidebar", "delete", "delete_elsewhere", "rename", "rename_sidebar",
             "send", "send"]
    for index in range(STEPS):
        # Some replies stream for a while, so switching and deleting also happen mid-reply.
        llm.add(Reply.of(text(f"Reply {index} " * 20, chunks=5), delay(rng.choice([0, 0, 0.3])), text("end.")))
    service = make_service()
    for title in ("Alpha", "Beta"):
        session = service.create(title=title)
        await service.chat(session.id, f"about {title}")
    app = make_app(service, session_id=service.list()[0].id)
    async with app.run_test(size=SIZE) as pilot:
        done: list[str] = []
        for _ in range(STEPS):
            name = rng.choice(names)
            done.append(name)
            await _step(pilot, rng, name)
            assert app.is_running, f"the app stopped after {done}"
            assert app.return_code is None
            screen_text(app)  # the whole screen renders
        await wait_for(pilot, lambda: not service.busy_sessions(), what="every reply", tries=1000)
        await _settle(pilot)
        # What is on screen is the session the app thinks it shows.
        current = app.main.session_id
        if current is not None and service.get(current) is not None:
            stored = [m.text() for m in service.messages(current) if m.text()]
            shown = screen_text(app)
            assert stored and stored[-1].split()[0] in shown
        errors = [n for n in app._notifications if n.severity == "error"]
        assert not errors, [n.message for n in errors]


class _Faulty(Static, can_focus=True):
    """A widget with a bug in a handler, in a timer and in its render, as a widget of ours might have."""

    broken_render = False

    def on_key(self, event) -> None:
        if event.key == "x":
            raise RuntimeError("a handler failed")

    def render(self):
        if self.broken_render:
            raise IndexError("a render failed")
        return "faulty widget"


class _GuardedFaulty(GuardedPump, _Faulty):
    pass


async def test_an_error_inside_a_widget_is_logged_and_shown_and_the_app_goes_on(make_app, llm, title_llm,
                                                                                caplog):
    llm.add(Reply.of(text("Still answering.")))
    title_llm.add(Reply.of(text("Still here")))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        widget = _GuardedFaulty()
        await app.main.mount(widget)
        widget.focus()
        await pilot.press("x")
        await pilot.pause()
        widget.set_timer(0.01, lambda: 1 / 0)
        await pilot.pause(0.1)
        widget.broken_render = True
        widget.refresh()
        # Not pilot.pause(): it renders the screen itself, in the test's task, where the error would land.
        await wait_until(lambda: any(isinstance(e, IndexError) for e in app.internal_errors.errors))
        widget.broken_render = False
        await pilot.pause()
        assert app.is_running
        errors = [type(e).__name__ for e in app.internal_errors.errors]
        assert errors[:3] == ["RuntimeError", "ZeroDivisionError", "IndexError"]
        await wait_for(pilot, lambda: "RuntimeError: a handler failed" in screen_text(app), what="the toast")
        assert "Something went wrong" in screen_text(app)
        assert "a handler failed" in caplog.text and "Traceback" in caplog.text
        # The widget whose handler failed still handles events (Textual would have stopped its message loop).
        widget.focus()
        await pilot.press("x")
        await pilot.pause()
        assert len([e for e in app.internal_errors.errors if isinstance(e, RuntimeError)]) == 2
        # And the app still does its job.
        app.main.composer.input.focus()
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Still answering." in screen_text(app), what="the reply")
        app.internal_errors.errors.clear()  # caused on purpose
