"""The common path of every tool that changes a file: load it (read-before-write rule), preview the change as a
diff in the `edit` permission request, write atomically, and record the write so it is not taken for an outside
change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent_tui.core.fileio import atomic_write
from agent_tui.core.tools.base import PermissionRequest, ToolContext, ToolError
from agent_tui.core.tools.diff import DiffSummary, unified_diff
from agent_tui.core.tools.fs import display_path, read_text, resolve_path


@dataclass
class LoadedFile:
    path: Path
    shown: str
    content: str | None  # None when the file does not exist yet
    crlf: bool = False  # the file uses CRLF line endings; `content` holds LF


def to_lf(text: str) -> tuple[str, bool]:
    """Text with LF endings, and whether it was consistently CRLF (so the result can be converted back)."""
    crlf_count = text.count("\r\n")
    if crlf_count and crlf_count == text.count("\n"):
        return text.replace("\r\n", "\n"), True
    return text, False


def restore_endings(text: str, crlf: bool) -> str:
    return text.replace("\n", "\r\n") if crlf else text


async def load_for_edit(ctx: ToolContext, raw_path: str, *, must_exist: bool) -> LoadedFile:
    path = await resolve_path(ctx, raw_path, access="write")
    shown = display_path(path, ctx)
    if path.is_dir():
        raise ToolError(f"{shown} is a directory, not a file.")
    if not path.exists():
        if must_exist:
            read_text(path, ctx)  # raises "File not found … Did you mean …"
        return LoadedFile(path=path, shown=shown, content=None)
    ctx.file_times.assert_fresh(path)
    text = read_text(path, ctx)  # also refuses binary and oversized files
    if ctx.files is not None:  # the front end's text (an unsaved editor buffer) is what gets edited
        text = await ctx.files.read_text(path)
    content, crlf = to_lf(text)
    return LoadedFile(path=path, shown=shown, content=content, crlf=crlf)


async def commit_edit(ctx: ToolContext, file: LoadedFile, new_content: str, *, verb: str) -> DiffSummary:
    """Ask `edit` permission with the diff, then write `new_content` (LF; converted back to CRLF if needed)."""
    old = file.content or ""
    summary = unified_diff(old, new_content, file.shown)
    await ctx.ask(
        PermissionRequest(
            permission="edit",
            title=f"{verb} {file.shown}",
            patterns=[str(file.path)],
            metadata={"path": str(file.path), "created": file.content is None, **summary.metadata()},
        )
    )
    # The file may have changed while the user looked at the dialog.
    if file.content is not None:
        ctx.file_times.assert_fresh(file.path)
    elif file.path.exists():
        raise ToolError(f"{file.shown} was created by someone else meanwhile. Read it before changing it.")
    try:
        if ctx.files is not None:
            await ctx.files.write_text(file.path, restore_endings(new_content, file.crlf))
        else:
            atomic_write(file.path, restore_endings(new_content, file.crlf))
    except OSError as exc:
        raise ToolError(f"Could not write {file.shown}: {exc.strerror or exc}") from exc
    if file.path.exists():  # a front end may keep a new file in an unsaved buffer
        ctx.file_times.record_read(file.path)
    return summary
