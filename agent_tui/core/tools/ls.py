"""`ls`: a folder as an indented tree, breadth first, capped, skipping dependency and build folders."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.fs import display_path, resolve_path
from agent_tui.core.tools.ignore import glob_matches
from agent_tui.core.tools.search import Walk

MAX_ENTRIES = 200


class LsParams(BaseModel):
    path: str | None = Field(default=None, description="The folder to list (default: the working folder).")
    ignore: list[str] = Field(default_factory=list, description='Extra globs to leave out, e.g. ["*.log", "tmp/"].')


class LsTool(Tool):
    name = "ls"
    Params = LsParams

    async def execute(self, params: LsParams, ctx: ToolContext) -> ToolResult:
        base = await resolve_path(ctx, params.path or ".", access="read")
        if not base.exists():
            raise ToolError(f"Folder not found: {display_path(base, ctx)}")
        if not base.is_dir():
            raise ToolError(f"{display_path(base, ctx)} is a file, not a folder. Use the read tool to read it.")
        text, count, capped = await asyncio.to_thread(self._tree, base, params.ignore, ctx)
        return ToolResult(
            title=display_path(base, ctx) or ".",
            output=text,
            metadata={"count": count, "truncated": capped},
        )

    def _tree(self, base: Path, ignore: list[str], ctx: ToolContext) -> tuple[str, int, bool]:
        walk = Walk.for_path(base, ctx)
        children: dict[Path, list[tuple[str, bool]]] = {}
        skipped: dict[Path, list[str]] = {}
        queue = [walk.base]
        count = 0
        capped = False
        while queue and not capped:
            folder = queue.pop(0)
            try:
                entries = sorted(os.scandir(folder), key=lambda e: (not e.is_dir(follow_symlinks=False), e.name))
            except OSError:
                continue
            listed: list[tuple[str, bool]] = []
            for entry in entries:
                is_dir = entry.is_dir(follow_symlinks=False)
                path = Path(entry.path)
                relative_to_base = path.relative_to(walk.base).as_posix()
                if any(glob_matches(g.rstrip("/"), relative_to_base) for g in ignore):
                    continue
                if walk.rules.ignored(walk.relative(path), is_dir):
                    if is_dir:
                        skipped.setdefault(folder, []).append(entry.name)
                    continue
                if count >= MAX_ENTRIES:
                    capped = True
                    break
                listed.append((entry.name, is_dir))
                count += 1
                if is_dir:
                    queue.append(path)
            children[folder] = listed

        lines = [f"{walk.base}/"]

        def render(folder: Path, depth: int) -> None:
            indent = "  " * depth
            for name, is_dir in children.get(folder, []):
                lines.append(f"{indent}{name}/" if is_dir else f"{indent}{name}")
                if is_dir:
                    render(folder / name, depth + 1)
            if folder in skipped:
                lines.append(f"{indent}({', '.join(n + '/' for n in skipped[folder])} not listed)")

        render(walk.base, 1)
        if capped:
            lines.append(
                f"\n(Listing capped at {MAX_ENTRIES} entries. List a subfolder, or use glob to find specific files.)"
            )
        if count == 0 and not skipped:
            lines.append("  (empty folder)")
        return "\n".join(lines), count, capped
