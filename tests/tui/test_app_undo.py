"""Pilot tests of undo in the app: the changed-files list, /undo and /redo with their keys, revert to an earlier
message after a confirmation listing the files, the conflict dialog for files changed by hand, and /diff."""

from __future__ import annotations

from pathlib import Path

from agent_tui.core.models import UserMessage
from agent_tui.testing.fake_llm import Reply, text, tool_call
from agent_tui.tui.dialogs.confirm import ConfirmDialog
from agent_tui.tui.dialogs.diff_view import DiffDialog
from agent_tui.tui.dialogs.revert_picker import RevertPickerDialog
from agent_tui.tui.widgets.changed_files import ChangedFiles
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen

ALLOW = {"bash": "allow", "edit": "allow"}


def script_turn(llm, command: str, reply: str = "Done.") -> None:
    llm.add(Reply.of(tool_call("bash", {"command": command, "description": "change"}, id=f"c{abs(hash(command))}")))
    llm.add(Reply.of(text(reply)))


async def send(pilot, app, message: str) -> None:
    """Send `message` and wait for ITS turn to finish and be on screen. "Nothing running" alone is not enough:
    under load the Enter may not have reached the runner yet (after an earlier turn nothing is running either),
    and the app applies the engine's events a loop turn or more after the engine is done."""
    await type_text(pilot, message)
    await pilot.press("enter")

    def sent_and_done() -> bool:
        session_id = app.main.session_id
        return session_id is not None and any(
            isinstance(m.info, UserMessage) and m.text() == message for m in app.service.messages(session_id)
        ) and not app.service.busy_sessions() and not app.runner.any_running() and not app.bridge.pending \
            and app.main.transcript.settled  # the app has applied and drawn every event of the turn

    await wait_for(pilot, sent_and_done, what=f"the turn of {message!r} to finish", tries=3000)  # litellm loads
    await pilot.pause()


async def wait_for_undo_action(pilot, app, started, *, what: str) -> None:
    """Wait until an undo, redo or revert has finished. Its first file put back (`started`) only means it is
    under way; it holds the session's run from before the first file to after the last one, and the app refills
    the prompt right as it ends, so "started and the session idle again" is the end. `started` is only called
    while the session is idle: mid-action, git may have removed a file it is about to write again."""
    await wait_for(pilot, lambda: not app.service.busy_sessions() and started(), what=what)
    await pilot.pause()


async def wait_for_new_screen(pilot, app, screen_type: type, old):
    """Like `wait_for_screen`, but not the dialog `old` that is still closing."""
    await wait_for(pilot, lambda: app.screen is not old and isinstance(app.screen, screen_type)
                   and app.screen.is_mounted, what=f"a new {screen_type.__name__}")
    await pilot.pause()
    return app.screen


async def test_changed_files_update_live_and_undo_redo_keys_restore_them(make_app, make_service, llm, project_dir):
    script_turn(llm, "echo changed > hello.py && printf 'a\\nb\\n' > new.txt")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "change two files")
        panel = app.main.sidebar.query_one(ChangedFiles)
        await wait_for(pilot, lambda: len(panel.changes) == 2, what="the changed files")
        shown = screen_text(app)
        assert "Changed files (2)" in shown and "hello.py  +1 -1" in shown and "new.txt  +2 -0" in shown

        await pilot.press("alt+z")
        await wait_for_undo_action(pilot, app, lambda: not (project_dir / "new.txt").exists(), what="the undo")
        await wait_for(pilot, lambda: "↶ undone" in screen_text(app), what="the undone label")
        assert (project_dir / "hello.py").read_text() == "print('hello')\n"
        assert app.main.composer.text == "change two files"  # the undone message is back in the prompt
        assert not panel.display
        assert "↶ reply undone · 1 tool call · files put back: hello.py, new.txt" in screen_text(app)

        app.main.composer.set_text("")
        await pilot.press("alt+y")
        await wait_for_undo_action(pilot, app, lambda: (project_dir / "new.txt").exists(), what="the redo")
        assert (project_dir / "hello.py").read_text() == "changed\n"
        await wait_for(pilot, lambda: "↶ undone" not in screen_text(app), what="the turn shown again")
        assert panel.display


async def test_a_hand_edited_file_asks_before_undo_overwrites_it(make_app, make_service, llm, project_dir):
    script_turn(llm, "echo agent > hello.py")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "edit hello")
        (project_dir / "hello.py").write_text("mine\n")
        app.main.composer.input.focus()
        await type_text(pilot, "/undo")
        await pilot.press("enter")
        asked = await wait_for_screen(pilot, ConfirmDialog)
        shown = screen_text(app)
        assert "Files changed by hand" in shown and "hello.py" in shown and "Overwrite" in shown
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is not asked, what="the dialog to close")
        assert (project_dir / "hello.py").read_text() == "mine\n"
        await type_text(pilot, "/undo")
        await pilot.press("enter")
        await wait_for_new_screen(pilot, app, ConfirmDialog, asked)
        await pilot.press("y")
        await wait_for_undo_action(pilot, app, lambda: (project_dir / "hello.py").read_text() == "print('hello')\n",
                                   what="the forced undo")


async def test_revert_to_an_earlier_message_lists_the_files_first(make_app, make_service, llm, project_dir):
    script_turn(llm, "echo one > one.txt")
    script_turn(llm, "echo two > two.txt && echo changed > hello.py")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "first change")
        await send(pilot, app, "second change")
        await pilot.press("alt+r")
        picker = await wait_for_screen(pilot, RevertPickerDialog)
        shown = screen_text(app)
        assert "second change  · 2 files" in shown and "first change  · 3 files" in shown
        await pilot.press("down", "enter")  # the older message
        await wait_for_screen(pilot, ConfirmDialog)
        shown = screen_text(app)
        assert "This undoes 2 turns" in shown
        for name in ("hello.py", "one.txt", "two.txt"):
            assert name in shown
        assert (project_dir / "one.txt").exists()  # nothing before the answer
        await pilot.press("y")
        await wait_for_undo_action(pilot, app, lambda: not (project_dir / "one.txt").exists(), what="the revert")
        assert not (project_dir / "two.txt").exists()
        assert (project_dir / "hello.py").read_text() == "print('hello')\n"
        assert picker is not app.screen
        assert app.main.composer.text == "first change"


async def test_diff_shows_the_whole_session_and_one_file_from_the_list(make_app, make_service, llm,
                                                                      project_dir: Path):
    script_turn(llm, "echo changed > hello.py && echo extra > extra.txt")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "change")
        await pilot.press("alt+d")
        whole = await wait_for_screen(pilot, DiffDialog)
        shown = screen_text(app)
        assert "Changes in this session (2 files)" in shown
        assert "- print('hello')" in shown and "+ changed" in shown and "+ extra" in shown  # numbered diff rows
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not whole, what="the diff to close")
        panel = app.main.sidebar.query_one(ChangedFiles)
        await wait_for(pilot, lambda: len(panel.changes) == 2, what="the changed files")
        listing = app.main.sidebar.query_one("#changed-files-list")
        listing.focus()
        await pilot.press("home", "enter")  # extra.txt comes first
        dialog = await wait_for_new_screen(pilot, app, DiffDialog, whole)
        shown = screen_text(app)
        assert "extra.txt: changes in this session" in shown and "+ extra" in shown
        assert "hello.py" not in dialog.diff


async def test_undo_with_nothing_to_undo_says_so(make_app, make_service):
    app = make_app(make_service())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+z")
        await pilot.pause()
        assert any("Nothing to undo" in n.message for n in app._notifications)


async def test_select_a_message_in_the_transcript_and_revert_to_it_with_r(make_app, make_service, llm, project_dir):
    script_turn(llm, "echo one > one.txt")
    script_turn(llm, "echo two > two.txt")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "first change")
        await send(pilot, app, "second change")
        await pilot.press("alt+up")  # selection starts on the last reply
        await pilot.pause()
        await pilot.press("r")  # a reply: nothing to revert to
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        selection = app.message_selection
        for _ in range(5):  # up past the turn's tool output to the user's "second change"
            await pilot.press("up")
            if selection.current.kind == "message" and selection.current.role == "user":
                break
        assert selection.current.text == "second change"
        await pilot.press("r")
        dialog = await wait_for_screen(pilot, ConfirmDialog)
        shown = screen_text(app)
        assert "Revert to this message?" in shown and "This undoes 1 turn" in shown and "two.txt" in shown
        assert "one.txt" not in dialog.body
        await pilot.press("y")
        await wait_for_undo_action(pilot, app, lambda: not (project_dir / "two.txt").exists(), what="the revert")
        assert (project_dir / "one.txt").exists()


async def test_a_long_file_list_keeps_the_dialog_buttons_on_a_small_screen(make_app, make_service, llm, project_dir):
    script_turn(llm, "for i in $(seq 1 30); do echo $i > f$i.txt; done")
    app = make_app(make_service(permission=ALLOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, app, "many files")
        await pilot.press("alt+r")
        await wait_for_screen(pilot, RevertPickerDialog)  # its list has the focus only once it is mounted
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmDialog)
        shown = screen_text(app)
        assert "Revert (y)" in shown and "Cancel (n)" in shown and "more" in shown
