"""Edit the prompt in the user's editor (`$VISUAL`, `$EDITOR`, else `vi`).

The app is suspended (the editor gets the real terminal), the text goes through a private temporary file (0600,
removed afterwards), and what the editor saved comes back. Without a terminal to hand over (a headless run), the
editor is run without one, which suits editors that need none (scripts, `code --wait`).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from textual.app import App, SuspendNotSupported


class EditorError(Exception):
    """The editor could not be run or failed; the message says what to do. The prompt is left as it was."""


def editor_command(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    value = (env.get("VISUAL") or env.get("EDITOR") or "vi").strip()
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    return words or ["vi"]


def _run(app: App[object], command: list[str]) -> int:
    try:
        with app.suspend():
            return subprocess.run(command, check=False).returncode
    except SuspendNotSupported:
        if not app.is_headless:
            raise EditorError("Editing in $EDITOR needs a terminal; this front end cannot hand it over.") from None
        return subprocess.run(command, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode


def edit_text(app: App[object], text: str, *, env: Mapping[str, str] | None = None) -> str:
    """The text as the user saved it in the editor. Raises EditorError."""
    command = editor_command(env)
    fd, name = tempfile.mkstemp(prefix="agent-tui-prompt-", suffix=".md")  # created 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            status = _run(app, [*command, str(path)])
        except (FileNotFoundError, PermissionError):
            raise EditorError(f"Could not run the editor '{command[0]}'. Set $EDITOR to one you have.") from None
        except OSError as exc:
            raise EditorError(f"Could not run the editor '{command[0]}': {exc.strerror or exc}") from None
        if status != 0:
            raise EditorError(f"The editor '{command[0]}' exited with status {status}; the prompt is unchanged.")
        try:
            edited = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise EditorError(f"Could not read what the editor saved: {exc.strerror or exc}") from None
    finally:
        path.unlink(missing_ok=True)
    # Editors end the file with a newline the user did not mean to send.
    return edited[:-1] if edited.endswith("\n") else edited
