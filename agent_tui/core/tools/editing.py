"""The common path of every tool that changes a file: resolve it, hold its lock, load it (read-before-write rule),
preview the change as a diff in the `edit` permission request, check that the file still holds the bytes the
change was computed from, write atomically in the file's own encoding and line endings, and record the write so
it is not taken for an outside change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from agent_tui.core.fileio import atomic_write
from agent_tui.core.tools.access import front_end_text, front_end_view
from agent_tui.core.tools.base import PermissionRequest, ToolContext, ToolError
from agent_tui.core.tools.diff import DiffSummary, unified_diff
from agent_tui.core.tools.file_locks import locked
from agent_tui.core.tools.fs import display_path, read_text_file, resolve_path
from agent_tui.core.tools.textfile import TextFile


@dataclass
class LoadedFile:
    path: Path
    shown: str
    found: TextFile | None  # the file as read; None when it does not exist yet
    format: TextFile  # how the result is written: the found file's encoding and endings, or a new file's

    @property
    def content(self) -> str | None:
        return self.found.text if self.found is not None else None


@asynccontextmanager
async def open_for_edit(ctx: ToolContext, raw_path: str, *, must_exist: bool) -> AsyncIterator[LoadedFile]:
    """The file to change, read under its lock; the lock is held until the block ends (after `commit_edit`)."""
    path = await resolve_path(ctx, raw_path, access="write")
    shown = display_path(path, ctx)
    async with locked(path):
        if path.is_dir():
            raise ToolError(f"{shown} is a directory, not a file.")
        if not path.exists():
            if must_exist:
                read_text_file(path, ctx)  # raises "File not found … Did you mean …"
            yield LoadedFile(path=path, shown=shown, found=None, format=TextFile.new(""))
            return
        ctx.file_times.assert_fresh(path)
        found = read_text_file(path, ctx)
        if ctx.files is not None:  # a front end's unsaved buffer is what gets edited
            found = await front_end_view(ctx.files, path, found)
        yield LoadedFile(path=path, shown=shown, found=found, format=found)


def ensure_unchanged(path: Path, found: TextFile | None, shown: str) -> None:
    """Refuse to write unless `path` still holds exactly what the change was computed from."""
    if found is None:
        if path.exists():
            raise ToolError(f"{shown} was created by someone else meanwhile. Read it before changing it.")
        return
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"{shown} cannot be read any more ({exc.strerror or exc}). Read it again.") from exc
    if current != found.raw:
        raise ToolError(f"{shown} was modified on disk while this edit was prepared. Read it again and redo it.")


async def commit_edit(ctx: ToolContext, file: LoadedFile, new_content: str, *, verb: str) -> DiffSummary:
    """Ask `edit` permission with the diff, then write `new_content` in the file's format."""
    old = file.content or ""
    summary = unified_diff(old, new_content, file.shown)
    await ctx.ask(
        PermissionRequest(
            permission="edit",
            title=f"{verb} {file.shown}",
            patterns=[str(file.path)],
            metadata={"path": str(file.path), "created": file.found is None, **summary.metadata()},
        )
    )
    # The file may have changed while the user looked at the dialog.
    if file.found is not None:
        ctx.file_times.assert_fresh(file.path)
    ensure_unchanged(file.path, file.found, file.shown)
    try:
        if ctx.files is not None:
            await ctx.files.write_text(file.path, front_end_text(file.format, new_content))
        else:
            atomic_write(file.path, file.format.encode(new_content))
    except OSError as exc:
        raise ToolError(f"Could not write {file.shown}: {exc.strerror or exc}") from exc
    if file.path.exists():  # a front end may keep a new file in an unsaved buffer
        ctx.file_times.record_read(file.path)
    return summary
