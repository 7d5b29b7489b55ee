"""Pilot tests of the daily features: $EDITOR, ctrl+r history search, custom commands, `!command`, conversation
search, selecting and copying messages and code blocks, and forking from a message."""

from __future__ import annotations

import sys
from pathlib import Path

from agent_tui.core.models import ToolPart, UserMessage
from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.picker import PickerDialog
from agent_tui.tui.state import PromptHistory
from agent_tui.tui.widgets.search_bar import SearchBar
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen
from tests.tui.test_app_commands import run_command, send

REPLY_WITH_CODE = "Here is the fix:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nAnd a note on needle."


def script_two_turns(llm, title_llm, first: str, second: str, title: str) -> None:  # type: ignore[no-untyped-def]
    llm.add(Reply.of(text(first)))
    llm.add(Reply.of(text(second)))
    title_llm.add(Reply.of(text(title)))


async def send_two(pilot, first: str, second: str) -> str:  # type: ignore[no-untyped-def]
    """Send two prompts, each after the reply to the one before; returns the session."""
    await send(pilot, first)
    await send(pilot, second)
    return pilot.app.main.session_id


async def wait_for_fork(pilot, original: str) -> str:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: pilot.app.main.session_id != original, what="the fork")
    return pilot.app.main.session_id


async def palette_search(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    await type_text(pilot, query)


def editor_script(tmp_path: Path) -> Path:
    """An $EDITOR that records what it was given (and the file's mode), then rewrites the file."""
    script = tmp_path / "fake-editor.py"
    script.write_text(
        "import os, stat, sys\n"
        "path = sys.argv[1]\n"
        "log = os.path.join(os.path.dirname(sys.argv[0]), 'editor-log.txt')\n"
        "mode = stat.S_IMODE(os.stat(path).st_mode)\n"
        "with open(log, 'w') as out:\n"
        "    out.write(f'{path}\\n{mode:o}\\n' + open(path).read())\n"
        "open(path, 'w').write('written in the editor\\nsecond line\\n')\n"
    )
    return script


def editor_log(tmp_path: Path) -> tuple[Path, str, str]:
    path, mode, given = (tmp_path / "editor-log.txt").read_text().split("\n", 2)
    return Path(path), mode, given


async def test_prompt_is_edited_in_the_editor_by_key_and_command(make_app, tmp_path, monkeypatch):
    script = editor_script(tmp_path)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "draft text")
        await pilot.press("alt+e")
        await wait_for(pilot, lambda: app.main.composer.text == "written in the editor\nsecond line",
                       what="the edited text")
        path, mode, given = editor_log(tmp_path)
        assert given == "draft text" and mode == "600"
        assert not path.exists()  # the temporary file is removed
        app.main.composer.clear()
        await run_command(pilot, "/editor")
        await wait_for(pilot, lambda: app.main.composer.text.startswith("written in the editor"), what="/editor")


async def test_a_failing_editor_leaves_the_prompt_alone(make_app, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "keep me")
        await pilot.press("f4")
        await wait_for(pilot, lambda: any("exited with status 1" in str(n.message) for n in app._notifications),
                       what="the error")
        assert app.main.composer.text == "keep me"
        monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
        await pilot.press("f4")
        await wait_for(pilot, lambda: any("Set $EDITOR" in str(n.message) for n in app._notifications),
                       what="the missing editor")
        assert app.main.composer.text == "keep me"


async def test_ctrl_r_searches_the_prompt_history(make_app, make_service, tmp_path):
    history = PromptHistory.load(tmp_path / "history.json")
    for entry in ("alpha one", "beta two\nwith a second line", "gamma three", "beta four"):
        history.add(entry)
    app = make_app()
    app.history = history
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "typed")
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, PickerDialog)
        assert "gamma three" in screen_text(app)
        await type_text(pilot, "beta")
        await pilot.pause()
        shown = screen_text(app)
        assert "beta four" in shown and "beta two" in shown and "gamma" not in shown and "(+1 lines)" in shown
        await pilot.press("down", "enter")  # newest first: the second match is the older one
        await wait_for(pilot, lambda: app.main.composer.text == "beta two\nwith a second line", what="the pick")
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, PickerDialog)
        await type_text(pilot, "alpha")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PickerDialog)
        assert app.main.composer.text == "beta two\nwith a second line"  # Esc changes nothing


async def test_custom_commands_are_listed_and_send_their_prompt(make_app, llm, title_llm, project_dir):
    folder = project_dir / ".agent-tui" / "commands"
    folder.mkdir(parents=True)
    (folder / "review.md").write_text("---\ndescription: Review a file for bugs\n---\nReview $ARGUMENTS for bugs.")
    llm.add(Reply.of(text("Looks fine.")))
    title_llm.add(Reply.of(text("Review")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/rev")
        await pilot.pause()
        assert "/review [arguments]" in screen_text(app) and "Review a file for bugs" in screen_text(app)
        app.main.composer.clear()
        await palette_search(pilot, "review")
        await wait_for(pilot, lambda: "Review a file for bugs" in screen_text(app), what="the palette entry")
        await pilot.press("escape")
        await pilot.pause()
        await send(pilot, "/review hello.py")
        sent = llm.requests[-1].messages[-1]["content"]
        assert sent == "/review hello.py\n\nReview hello.py for bugs."  # the command as typed, then its prompt
        shown = screen_text(app)
        assert "/review hello.py" in shown and "Review hello.py for bugs." not in shown  # the transcript: as typed
        await palette_search(pilot, "model")
        await wait_for(pilot, lambda: "/models  F2 / Ctrl+L" in screen_text(app), what="the key in the palette")


async def test_bang_runs_a_shell_command_and_the_model_sees_it(make_app, llm, title_llm):
    llm.add(Reply.of(text("I see the file.")))
    title_llm.add(Reply.of(text("Shell")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "!ls && echo shell-said-hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "shell-said-hi" in screen_text(app), what="the command output")
        shown = screen_text(app)
        assert "bash" in shown and "ls && echo shell-said-hi" in shown and "hello.py" in shown
        service = app.service
        session_id = app.main.session_id
        await wait_for(pilot, lambda: not service.busy_sessions(), what="the command to end")
        stored = service.messages(session_id)
        assert isinstance(stored[0].info, UserMessage) and isinstance(stored[0].parts[0], ToolPart)
        await send(pilot, "what did it print?")
        sent = str(llm.requests[-1].messages)
        assert "shell-said-hi" in sent and "what did it print?" in sent
        app.main.show_session(session_id)  # reopened from storage: still the bash panel
        await pilot.pause()
        assert "shell-said-hi" in screen_text(app)
        await pilot.press("alt+up", "up", "up")  # the reply, the question, then the command's output
        assert app.message_selection.current.kind == "tool"
        await pilot.press("c")
        assert "shell-said-hi" in app.clipboard and "hello.py" in app.clipboard


async def test_search_highlights_matches_and_walks_them(make_app, llm, title_llm):
    script_two_turns(llm, title_llm, "The first needle is here.", REPLY_WITH_CODE, "Needles")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send_two(pilot, "find the NEEDLE", "again")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: bool(app.main.query(SearchBar)), what="the search bar")
        await type_text(pilot, "needle")
        await wait_for(pilot, lambda: "3 of 3" in screen_text(app), what="three matches, the last current")
        search = app.transcript_search
        assert [m.block.key.startswith("user:") for m in search.matches] == [True, False, False]
        await pilot.press("enter")
        assert "2 of 3" in screen_text(app)
        await pilot.press("enter", "enter")
        assert "3 of 3" in screen_text(app)  # wraps around
        await pilot.press("shift+enter")
        assert "1 of 3" in screen_text(app)
        await pilot.press("shift+tab")  # to the log, where n / N walk the matches
        await pilot.press("N")
        assert "2 of 3" in screen_text(app)
        await type_text(pilot, "n")
        assert "1 of 3" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.main.query(SearchBar) and not search.matches
        await run_command(pilot, "/search zzz-nothing")
        await wait_for(pilot, lambda: "no match" in screen_text(app), what="no match")


async def test_select_and_copy_a_message_or_code_block_then_fork(make_app, llm, title_llm):
    script_two_turns(llm, title_llm, "First answer.", REPLY_WITH_CODE, "Code")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        original = await send_two(pilot, "first question", "show me code")
        await pilot.press("alt+up")
        await pilot.pause()
        selection = app.message_selection
        assert selection.active and selection.current.kind == "code"  # the last item: the reply's code block
        await pilot.press("c")
        assert app.clipboard == "def add(a, b):\n    return a + b"
        await pilot.press("up")
        assert selection.current.kind == "message" and selection.current.role == "assistant"
        await pilot.press("y")
        assert app.clipboard == REPLY_WITH_CODE
        await pilot.press("up")
        assert selection.current.text == "show me code"
        await pilot.press("f")  # fork from the user's second message: the first exchange, its text in the prompt
        fork = await wait_for_fork(pilot, original)
        assert [m.text() for m in app.service.messages(fork)] == ["first question", "First answer."]
        assert app.main.composer.text == "show me code"
        assert app.service.get(fork).forked_from == original
        await pilot.press("escape")


async def test_fork_command_picks_a_message(make_app, llm, title_llm):
    script_two_turns(llm, title_llm, "One.", "Two.", "Fork me")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        original = await send_two(pilot, "question one", "question two")
        await run_command(pilot, "/fork")
        await wait_for_screen(pilot, PickerDialog)
        assert "question two" in screen_text(app) and "question one" in screen_text(app)
        await type_text(pilot, "one")
        await pilot.press("enter")
        fork = await wait_for_fork(pilot, original)
        assert app.service.messages(fork) == []  # forked before the first message
        assert app.main.composer.text == "question one"

