"""The snapshot scenes give the same picture however slow the machine is: no cursor blinks in them, on the main
screen or in a dialog their keys open; the cursor is drawn even if a line was painted in the blink's off phase;
and the log has drawn every event before the picture.

(Before: `test_key_screens[model_picker]`, `[conversation_search]`, `[long_paste]` and
`test_bash_permission_in_a_small_terminal` failed now and then under load: the picture was taken more than half
a second after a dialog's filter or the prompt got its cursor, or before the log's next frame.)
"""

from __future__ import annotations

import re

import pytest
from textual.widgets import TextArea

from tests.tui.scenes import SCENES, SIZE, steady

pytestmark = pytest.mark.usefixtures("scene_folder")  # tests/tui/conftest.py: a folder of each test's own

# The scenes whose keys open a dialog or a bar or move the focus, and one whose log gets a live event.
KEYED = ("model_picker", "session_switcher", "conversation_search", "custom_commands", "message_selection",
         "bash_permission")


def picture(app) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"terminal-\d+-", "terminal-", app.export_screenshot())


@pytest.mark.parametrize("name", KEYED)
async def test_a_settled_scene_has_nothing_left_to_draw(name: str) -> None:
    scene = SCENES[name]()
    async with scene.app.run_test(size=SIZE) as pilot:
        await scene.settle(pilot)
        screen = scene.app.screen
        blinking = [w for w in screen.query("Input, TextArea") if w.cursor_blink]  # type: ignore[attr-defined]
        assert blinking == []
        assert scene.app.focused is None or scene.app.focused.screen is screen
        assert scene.app.main.transcript.settled  # no frame waiting for the log's pace


async def test_the_cursor_is_drawn_even_when_painted_in_its_off_phase() -> None:
    expected_scene = SCENES["empty_session"]()
    async with expected_scene.app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Same after the fix?")  # (an empty prompt's placeholder is drawn without the cache)
        await steady(pilot)
        expected = picture(expected_scene.app)

    scene = SCENES["empty_session"]()
    async with scene.app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Same after the fix")
        await steady(pilot)
        prompt = scene.app.query_one("#prompt-input", TextArea)
        prompt.cursor_blink = True  # blinking again, as before `steady`: the last key, then the off phase painted
        await pilot.press("question_mark")
        for _ in range(500):
            if not prompt._cursor_visible:
                break
            await pilot.pause(0.02)
        assert not prompt._cursor_visible
        await pilot.pause()
        await steady(pilot)
        assert picture(scene.app) == expected
