"""`patch`: add, update, move and delete several files in one step; all of it applies or none of it does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from agent_tui.core.fileio import atomic_write
from agent_tui.core.tools import patch_format
from agent_tui.core.tools.base import PermissionRequest, Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.diff import unified_diff
from agent_tui.core.tools.editing import ensure_unchanged
from agent_tui.core.tools.file_locks import locked
from agent_tui.core.tools.fs import display_path, read_text_file, resolve_path, suggest_similar
from agent_tui.core.tools.textfile import TextFile


class PatchParams(BaseModel):
    patch_text: str = Field(description="The whole patch, from '*** Begin Patch' to '*** End Patch'.")


@dataclass
class _Change:
    path: Path  # where the new content goes (the move target for a move)
    shown: str
    action: str  # "add", "update", "move", "delete"
    old: str | None  # LF text before, None for a new file
    new: str | None  # LF text after, None for a deletion
    found: TextFile | None = None  # the file as read (its encoding and endings are kept)
    source: Path | None = None  # the old location of a moved file

    def encoded(self) -> bytes:
        assert self.new is not None
        return (self.found or TextFile.new(self.new)).encode(self.new)


class PatchTool(Tool):
    name = "patch"
    Params = PatchParams

    def title_for(self, params: dict[str, object]) -> str:
        return "patch"

    async def execute(self, params: PatchParams, ctx: ToolContext) -> ToolResult:
        ops = patch_format.parse(params.patch_text)
        resolved: dict[str, Path] = {}
        for op in ops:
            for raw in (op.path, op.move_to):
                if raw is not None and raw not in resolved:
                    resolved[raw] = await resolve_path(ctx, raw, access="write")
        # Every file of the patch stays locked from reading it to writing it (other edits of the step wait).
        async with locked(*resolved.values()):
            return await self._apply(ops, resolved, ctx)

    async def _apply(self, ops: list[patch_format.FileOp], resolved: dict[str, Path], ctx: ToolContext) -> ToolResult:
        changes: list[_Change] = []
        problems: list[str] = []
        touched: set[Path] = set()
        for op in ops:
            try:
                changes.append(self._plan(op, resolved, ctx, touched))
            except ToolError as exc:
                problems.append(str(exc))
        if problems:
            raise ToolError("The patch was not applied; no file was changed.\n" + "\n".join(f"- {p}" for p in problems))

        diffs = [unified_diff(c.old or "", c.new or "", c.shown) for c in changes]
        combined = "".join(d.diff for d in diffs)
        names = ", ".join(c.shown for c in changes)
        await ctx.ask(
            PermissionRequest(
                permission="edit",
                title=f"Patch {len(changes)} file{'s' if len(changes) > 1 else ''}: {names}",
                patterns=[str(c.path) for c in changes],
                metadata={
                    "diff": combined,
                    "additions": sum(d.additions for d in diffs),
                    "deletions": sum(d.deletions for d in diffs),
                    "files": [c.shown for c in changes],
                },
            )
        )
        try:
            for change in changes:  # the files may have changed while the user looked at the dialog
                if change.found is not None or change.action == "add":
                    ensure_unchanged(change.source or change.path, change.found, change.shown)
        except ToolError as exc:
            raise ToolError(f"The patch was not applied; no file was changed. {exc}") from exc
        self._write_all(changes, ctx)
        summary = "\n".join(
            f"{c.action.upper():<7} {c.shown} (+{d.additions} -{d.deletions})"
            for c, d in zip(changes, diffs, strict=True)
        )
        return ToolResult(
            title=names if len(names) <= 80 else f"{len(changes)} files",
            output=f"Patch applied to {len(changes)} file(s):\n{summary}",
            metadata={
                "diff": combined,
                "additions": sum(d.additions for d in diffs),
                "deletions": sum(d.deletions for d in diffs),
                "files": [
                    {"path": str(c.path), "action": c.action, "additions": d.additions, "deletions": d.deletions}
                    for c, d in zip(changes, diffs, strict=True)
                ],
            },
        )

    def _plan(
        self, op: patch_format.FileOp, resolved: dict[str, Path], ctx: ToolContext, touched: set[Path]
    ) -> _Change:
        path = resolved[op.path]
        shown = display_path(path, ctx)
        if path in touched:
            raise ToolError(f"{shown} appears more than once in the patch; combine its changes into one section.")
        touched.add(path)
        if op.kind == "add":
            if path.exists():
                raise ToolError(f"Add File {shown}: the file already exists; use '*** Update File:' to change it.")
            return _Change(path, shown, "add", None, op.content)
        if path.is_dir():
            raise ToolError(f"{shown} is a directory, not a file.")
        if not path.exists():
            raise ToolError(f"{op.kind.title()} File {shown}: the file does not exist.{suggest_similar(path, ctx)}")
        if ctx.file_times.last_read(path) is not None and not ctx.file_times.is_fresh(path):
            raise ToolError(f"{shown} changed on disk since you read it; read it again and redo its hunks.")
        if op.kind == "delete":
            try:
                doomed: TextFile | None = read_text_file(path, ctx)
            except ToolError:  # binary or huge: deleted without a preview
                doomed = None
            return _Change(path, shown, "delete", doomed.text if doomed else "", None, doomed)
        found = read_text_file(path, ctx)
        new = patch_format.apply_hunks(found.text, op.hunks, shown)
        if op.move_to is None:
            return _Change(path, shown, "update", found.text, new, found)
        target = resolved[op.move_to]
        if target in touched:
            raise ToolError(f"Move to {op.move_to}: that path is already changed elsewhere in the patch.")
        if target.exists():
            raise ToolError(f"Move to {display_path(target, ctx)}: a file already exists there.")
        touched.add(target)
        return _Change(target, display_path(target, ctx), "move", found.text, new, found, source=path)

    def _write_all(self, changes: list[_Change], ctx: ToolContext) -> None:
        """Write every change; if one write fails, put back what was already changed."""
        undo: list[tuple[Path, bytes | None]] = []
        try:
            for change in changes:
                if change.new is not None:
                    previous = change.path.read_bytes() if change.path.exists() else None
                    undo.append((change.path, previous))
                    atomic_write(change.path, change.encoded())
                doomed = change.source if change.action == "move" else change.path if change.new is None else None
                if doomed is not None:
                    undo.append((doomed, doomed.read_bytes()))
                    doomed.unlink()
        except OSError as exc:
            for path, data in reversed(undo):
                try:
                    if data is None:
                        path.unlink(missing_ok=True)
                    else:
                        atomic_write(path, data)
                except OSError:
                    pass
            raise ToolError(f"Writing the patch failed ({exc}); the files were restored as they were.") from exc
        for change in changes:
            if change.new is not None:
                ctx.file_times.record_read(change.path)

