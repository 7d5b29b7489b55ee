"""At 60×20 every dialog fits or scrolls, with its key hints on screen (issue 12.7)."""

from __future__ import annotations

import pytest

from agent_tui.tui.dialogs.confirm import ConfirmDialog
from agent_tui.tui.dialogs.help import HelpDialog
from agent_tui.tui.dialogs.mcp import McpDialog
from agent_tui.tui.dialogs.model_picker import ModelPickerDialog
from agent_tui.tui.dialogs.session_switcher import SessionSwitcherDialog
from agent_tui.tui.dialogs.text_input import TextInputDialog
from agent_tui.tui.dialogs.themes import ThemeDialog
from tests.tui.conftest import screen_text, type_text, wait_for_screen

SMALL = (60, 20)

DIALOGS = [
    ("ctrl+s", SessionSwitcherDialog, "enter open"),
    ("ctrl+t", ThemeDialog, "esc restore"),
    ("f2", ModelPickerDialog, "esc"),
    ("f1", HelpDialog, "esc"),
    ("/mcp", McpDialog, "esc"),
    ("/rename", TextInputDialog, "esc"),
    ("ctrl+c", None, None),
]


@pytest.mark.parametrize(("key", "dialog", "hint"), [d for d in DIALOGS if d[1] is not None],
                         ids=lambda v: getattr(v, "__name__", str(v)))
async def test_dialogs_fit_a_60x20_terminal_with_their_hints(make_app, make_service, key, dialog, hint):
    service = make_service()
    for n in range(30):
        service.create(title=f"Session number {n}")
    app = make_app(service, session_id=service.list()[0].id)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        if key.startswith("/"):
            await type_text(pilot, key)
            await pilot.press("escape", "enter")
        else:
            await pilot.press(key)
        screen = await wait_for_screen(pilot, dialog)
        await pilot.pause(0.1)
        box = screen.query_one("#dialog")
        assert box.region.bottom <= SMALL[1] and box.region.right <= SMALL[0], box.region
        assert hint in screen_text(app)


async def test_the_confirm_dialog_fits_a_60x20_terminal(make_app, make_service):
    service = make_service()
    session = service.create(title="A session with a rather long title that wraps in a narrow dialog " * 2)
    app = make_app(service, session_id=session.id)
    async with app.run_test(size=SMALL) as pilot:
        app.action_delete_session(session.id)
        screen = await wait_for_screen(pilot, ConfirmDialog)
        await pilot.pause(0.1)
        assert screen.query_one("#dialog").region.bottom <= SMALL[1]
        assert "Cancel (n)" in screen_text(app)
