"""What the engine adds to a user message (a custom command's expansion, a `!command`'s context) is sent to
the model but is not what the user typed: undo puts back what was typed, and the revert list shows it."""

from __future__ import annotations

from agent_tui.tui.dialogs.revert_picker import RevertPickerDialog
from tests.tui.conftest import SIZE, screen_text, wait_for, wait_for_screen
from tests.tui.test_app_undo import ALLOW, script_turn, send


async def test_undo_and_revert_show_the_custom_command_as_typed(make_app, make_service, llm, project_dir):
    folder = project_dir / ".agent-tui" / "commands"
    folder.mkdir(parents=True)
    (folder / "review.md").write_text("Review $ARGUMENTS closely and fix what is wrong.")
    script_turn(llm, "echo fixed > hello.py")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "/review hello.py")
        assert "closely and fix" in str(llm.requests[0].messages)  # the model got the expansion
        await pilot.press("alt+r")
        await wait_for_screen(pilot, RevertPickerDialog)
        shown = screen_text(app)
        assert "/review hello.py" in shown and "closely and fix" not in shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("alt+z")
        await wait_for(pilot, lambda: (project_dir / "hello.py").read_text() == "print('hello')\n", what="the undo")
        await wait_for(pilot, lambda: bool(app.main.composer.text), what="the message back in the prompt")
        assert app.main.composer.text == "/review hello.py"
