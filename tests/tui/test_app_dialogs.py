"""Pilot tests of the dialogs: permission answers, model picker, themes, help, delete and quit confirmations."""

from __future__ import annotations

import json

from agent_tui.core import paths
from agent_tui.core.models import AssistantMessage, ToolPart
from agent_tui.testing.fake_llm import Reply, delay, text, tool_call
from agent_tui.tui.dialogs.confirm import ConfirmDialog
from agent_tui.tui.dialogs.help import HelpDialog
from agent_tui.tui.dialogs.model_picker import ModelPickerDialog
from agent_tui.tui.dialogs.permission import PermissionDialog
from agent_tui.tui.dialogs.themes import ThemeDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


def tool_parts(service, session_id):
    return [p for m in service.messages(session_id) if isinstance(m.info, AssistantMessage) for p in m.parts
            if isinstance(p, ToolPart)]


def edit_script(llm, project_dir):
    path = str(project_dir / "hello.py")
    llm.add(Reply.of(tool_call("read", {"file_path": path}, id="call_read")))
    llm.add(Reply.of(tool_call("edit", {"file_path": path, "old_string": "hello", "new_string": "goodbye"},
                               id="call_edit")))
    llm.add(Reply.of(text("Edited.")))


async def test_permission_allow_once_shows_the_diff_and_runs_the_edit(make_app, make_service, llm, title_llm,
                                                                      project_dir):
    edit_script(llm, project_dir)
    title_llm.add(Reply.of(text("Edit hello")))
    app = make_app(make_service(permission={"edit": "ask"}))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "say goodbye")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, PermissionDialog)
        shown = screen_text(app)
        assert "Permission needed" in shown and "edit" in shown
        assert "- print('hello')" in shown and "+ print('goodbye')" in shown  # the diff preview, numbered
        assert (project_dir / "hello.py").read_text() == "print('hello')\n"  # nothing before the answer
        assert dialog.event.permission == "edit"
        await pilot.press("1")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        assert (project_dir / "hello.py").read_text() == "print('goodbye')\n"
        assert not isinstance(app.screen, PermissionDialog)


async def test_permission_answers_stay_on_screen_in_a_short_terminal(make_app, make_service, llm, title_llm,
                                                                     project_dir):
    (project_dir / "big.py").write_text("".join(f"line_{i} = {i}\n" for i in range(60)))
    path = str(project_dir / "big.py")
    llm.add(Reply.of(tool_call("read", {"file_path": path}, id="call_read")))
    llm.add(Reply.of(tool_call("edit", {"file_path": path, "old_string": "line_", "new_string": "value_",
                                        "replace_all": True}, id="call_edit")))
    llm.add(Reply.of(text("Renamed.")))
    title_llm.add(Reply.of(text("Rename")))
    app = make_app(make_service(permission={"edit": "ask"}))
    async with app.run_test(size=(90, 30)) as pilot:
        await type_text(pilot, "rename the variables")
        await pilot.press("enter")
        await wait_for_screen(pilot, PermissionDialog)
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "- line_0 = 0" in shown  # the start of the diff, which scrolls
        for answer in ("1 Allow once", "2 Always allow", "3 Reject", "tell the model why", "esc stop the reply"):
            assert answer in shown
        await pilot.press("3")
        await wait_for(pilot, lambda: not app.service.busy_sessions(), what="the turn")


async def test_permission_reject_with_message_tells_the_model(make_app, make_service, llm, title_llm, project_dir):
    edit_script(llm, project_dir)
    title_llm.add(Reply.of(text("Edit hello")))
    app = make_app(make_service(permission={"edit": "ask"}))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "say goodbye")
        await pilot.press("enter")
        await wait_for_screen(pilot, PermissionDialog)
        await pilot.press("m")
        await type_text(pilot, "keep hello")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        assert (project_dir / "hello.py").read_text() == "print('hello')\n"
        edit = next(p for p in tool_parts(service, service.list()[0].id) if p.tool == "edit")
        assert edit.state.status == "error"
        assert "keep hello" in (edit.state.error or "")
        assert "keep hello" in json.dumps(llm.requests[2].messages)


async def test_permission_always_is_not_asked_again_in_the_session(make_app, make_service, llm, title_llm,
                                                                   project_dir):
    llm.add(Reply.of(tool_call("bash", {"command": "echo one"}, id="call_1")))
    llm.add(Reply.of(tool_call("bash", {"command": "echo two"}, id="call_2")))
    llm.add(Reply.of(text("Both ran.")))
    title_llm.add(Reply.of(text("Echoes")))
    app = make_app(make_service(permission={"bash": {"echo *": "ask"}}))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "echo twice")
        await pilot.press("enter")
        await wait_for_screen(pilot, PermissionDialog)
        assert "echo one" in screen_text(app)
        await pilot.press("2")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        parts = tool_parts(service, service.list()[0].id)
        assert [p.state.status for p in parts] == ["completed", "completed"]
        assert "two" in (parts[1].state.output or "")


async def test_esc_in_the_permission_dialog_stops_the_reply(make_app, make_service, llm, title_llm, project_dir):
    edit_script(llm, project_dir)
    title_llm.add(Reply.of(text("Edit hello")))
    app = make_app(make_service(permission={"edit": "ask"}))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "say goodbye")
        await pilot.press("enter")
        await wait_for_screen(pilot, PermissionDialog)
        await pilot.press("escape")
        service = app.service
        await wait_for(pilot, lambda: not service.busy_sessions() and not isinstance(app.screen, PermissionDialog),
                       what="the abort")
        reply = [m for m in service.messages(service.list()[0].id) if isinstance(m.info, AssistantMessage)][-1]
        assert reply.info.error is not None and reply.info.error.kind == "aborted"
        assert (project_dir / "hello.py").read_text() == "print('hello')\n"


async def test_model_picker_filters_chooses_and_remembers(make_app, llm, title_llm):
    llm.add(Reply.of(text("From the big model")))
    title_llm.add(Reply.of(text("Picked")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_for_screen(pilot, ModelPickerDialog)
        shown = screen_text(app)
        assert "fake" in shown and "titles" in shown  # grouped by provider
        assert "100k ctx" in shown and "$3 in / $15 out per M" in shown
        await type_text(pilot, "fakebig")
        await pilot.press("enter")
        assert not isinstance(app.screen, ModelPickerDialog)
        assert app.main.status.model == "fake/big"
        state = json.loads((paths.state_dir() / "state.json").read_text())
        assert state["last_model"] == "fake/big"
        await type_text(pilot, "hi")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        assert llm.requests[0].model.endswith("big")


async def test_model_picker_key_can_be_rebound_in_config(make_app, make_service):
    app = make_app(make_service(keybinds={"models": "f5", "nonsense": "f6"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, ModelPickerDialog)
        await pilot.press("f5")
        await wait_for_screen(pilot, ModelPickerDialog)
        assert any("nonsense" in str(n.message) for n in app._notifications)


async def test_help_lists_every_key_and_command(make_app):
    app = make_app()
    async with app.run_test(size=(120, 130)) as pilot:
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpDialog)
        shown = screen_text(app)
        for command in ("/new", "/sessions", "/models", "/compact", "/init", "/rename", "/export", "/copy",
                        "/details", "/themes", "/mcp", "/help", "/quit", "/editor", "/fork", "/search", "/select",
                        "/history", "/undo", "/redo", "/revert", "/diff"):
            assert command in shown
        for key in ("escape", "ctrl+c", "ctrl+p", "ctrl+b", "ctrl+n", "f2", "ctrl+o", "shift+enter", "ctrl+r",
                    "ctrl+f", "alt+e", "alt+up", "!command", "alt+z", "alt+y", "alt+r", "alt+d"):
            assert key in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpDialog)


async def test_help_wraps_long_descriptions_under_their_column_and_lists_the_log_keys(make_app):
    app = make_app()
    async with app.run_test(size=(90, 100)) as pilot:
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpDialog)
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "Previous / next message" in line)
        column = lines[first].index("Previous")
        rest = lines[first + 1]
        assert rest[:column].strip(" │") == ""  # the wrapped part starts under the description, not at the edge
        assert rest[column:].strip(" │").startswith(("last", "line", "/"))
        shown = "\n".join(lines)
        assert "In the message log" in shown
        assert "pageup, pagedown" in shown and "Scroll the message log" in shown
        assert "/rename [title]" in shown  # brackets are text, not markup


async def test_theme_choice_is_applied_and_remembered(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/themes")
        await pilot.press("escape")  # close the completion menu, then send the command itself
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, ThemeDialog)
        original = app.theme
        target = next(t for t in dialog.themes if t != original)
        while app.theme != target:
            await pilot.press("down")
        await pilot.press("enter")
        assert app.theme == target
        assert json.loads((paths.state_dir() / "state.json").read_text())["theme"] == target
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == target


async def test_delete_session_from_sidebar_asks_first(make_app, make_service):
    service = make_service()
    keep = service.create(title="Keep me")
    doomed = service.create(title="Delete me")
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")  # focus the session list
        await pilot.pause()
        assert app.main.sidebar.sessions[0].id == doomed.id
        await pilot.press("home", "d")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("n")
        assert service.get(doomed.id) is not None
        await pilot.press("d")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, lambda: service.get(doomed.id) is None, what="the delete")
        await pilot.pause()
        assert [s.id for s in app.main.sidebar.sessions] == [keep.id]
        assert "Delete me" not in screen_text(app)


async def test_ctrl_c_asks_while_a_reply_runs_and_quits_when_idle(make_app, llm, title_llm):
    llm.add(Reply.of(text("Long"), delay(30), text(" never")))
    title_llm.add(Reply.of(text("Quit test")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Long" in screen_text(app), what="streaming")
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("n")
        assert app.is_running and app.service.busy_sessions()
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="the exit")
    assert app.return_code == 0
    idle = make_app()
    async with idle.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not idle.is_running, what="the exit")


async def test_bash_permission_shows_the_command_once_and_the_wait(make_app, make_service, llm, title_llm,
                                                                 project_dir):
    command = 'for i in $(seq 1 3); do python3 -c "print($i)"; done'
    llm.add(Reply.of(tool_call("bash", {"command": command, "description": "count to three"}, id="call_1")))
    llm.add(Reply.of(text("Counted.")))
    title_llm.add(Reply.of(text("Count")))
    app = make_app(make_service(permission={"bash": {"*": "ask"}}))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "count")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, PermissionDialog)
        texts = [str(w.render()) for w in dialog.query("Static")]
        assert sum("python3 -c" in t for t in texts) == 1  # in the preview only
        assert "count to three" in texts
        assert any("asks before running seq 1 3, python3 -c" in t for t in texts)
        choices = screen_text(app)
        assert "seq, seq *, python3 -c \"print($i)\"" in choices and " do" not in choices.split("(")[-1]
        main = app.main
        await wait_for(pilot, lambda: "waiting for approval" in str(
            main.status.query_one("#status-right").render()), what="the status line")
        assert "waiting for approval" in screen_text(app)
        await pilot.press("1")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        part = tool_parts(service, service.list()[0].id)[0]
        assert part.state.status == "completed" and "approval_wait_ms" in part.state.metadata
        assert "waiting for approval" not in str(main.status.query_one("#status-right").render())
