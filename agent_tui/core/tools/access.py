"""Where tools read and write files and run commands.

By default they use this machine directly. A front end may offer its own: an editor speaking ACP serves the text of
unsaved buffers and runs commands in terminals the user can see. The front end implements these protocols; the
tools only ask `ctx.files` / `ctx.commands` and fall back to the disk and their own process when they are None.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from agent_tui.core.tools.textfile import TextFile


class FileAccess(Protocol):
    """Text files as the front end sees them. Failures raise ToolError with a message for the model."""

    async def read_text(self, path: Path) -> str: ...

    async def write_text(self, path: Path, content: str) -> None: ...


@dataclass
class CommandOutcome:
    output: str
    exit_code: int | None
    signal: str | None = None
    truncated: bool = False  # the front end kept only the end of the output
    timed_out: bool = False
    aborted: bool = False


class CommandRunner(Protocol):
    """Runs a shell command line somewhere the user can watch it; kills it on `abort` or after `time_limit` seconds."""

    async def run(
        self, command: str, *, cwd: Path, env: dict[str, str], time_limit: float, abort: asyncio.Event,
        started: Callable[[str], None],
    ) -> CommandOutcome: ...


@dataclass
class ToolAccess:
    files: FileAccess | None = None
    commands: CommandRunner | None = None


class AccessProvider(Protocol):
    """Set on the session service by a front end; asked once per tool call."""

    def for_session(self, session_id: str) -> ToolAccess: ...


async def front_end_view(files: FileAccess, path: Path, found: TextFile) -> TextFile:
    """`found` (read from disk) with the front end's text of the file: the edit applies to what the user sees,
    while `found.raw` keeps the disk bytes for the check that the disk did not change meanwhile."""
    return replace(found, text=found.from_model(await files.read_text(path)))


def front_end_text(file_format: TextFile, text: str) -> str:
    """`text` with the file's own line endings, as a string for the front end to write."""
    return file_format.encode(text)[len(file_format.bom):].decode(file_format.codec)
