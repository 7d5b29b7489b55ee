"""Pilot: a `!command` typed in the prompt is checkpointed, so Alt+Z puts back the files it changed (content and
mode) and Alt+Y reapplies them, in a git checkout and in a plain folder."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from agent_tui.tui.dialogs.revert_picker import RevertPickerDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for


def files(root: Path) -> dict[str, tuple[bytes, bool]]:
    return {str(p.relative_to(root)): (p.read_bytes(), bool(p.stat().st_mode & stat.S_IXUSR))
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts}


COMMAND = "!rm run.sh && echo shell > notes.md && echo new > made.txt && echo shell-done"


@pytest.mark.parametrize("kind", ["git", "plain"])
async def test_undo_and_redo_keys_cover_a_shell_command(make_app, project_dir: Path, kind: str):
    if kind == "plain":
        shutil.rmtree(project_dir / ".git")
    (project_dir / "run.sh").write_text("#!/bin/sh\necho run\n")
    (project_dir / "run.sh").chmod(0o755)
    original = files(project_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, COMMAND)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "shell-done" in screen_text(app) and not app.service.busy_sessions()
                       and not app.runner.any_running(), what="the command to end")
        changed = files(project_dir)
        assert "run.sh" not in changed and changed["notes.md"] == (b"shell\n", False)

        await pilot.press("alt+z")
        await wait_for(pilot, lambda: (project_dir / "run.sh").exists(), what="the undo")
        await wait_for(pilot, lambda: "↶ undone" in screen_text(app), what="the undone label")
        assert files(project_dir) == original
        assert not app.service.changed_files(app.main.session_id)
        assert app.main.composer.text == COMMAND  # back in the prompt, as typed
        assert "▌ " + COMMAND in screen_text(app)  # the undone turn shows the command, dimmed

        app.main.composer.set_text("")
        await pilot.press("alt+y")
        await wait_for(pilot, lambda: not (project_dir / "run.sh").exists(), what="the redo")
        assert files(project_dir) == changed

        await pilot.press("alt+r")  # the revert picker names the command
        await wait_for(pilot, lambda: isinstance(app.screen, RevertPickerDialog), what="the revert picker")
        assert "!rm run.sh && echo shell" in screen_text(app)
