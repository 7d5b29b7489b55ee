"""`glob`: find files by name pattern, newest first."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.fs import display_path, resolve_path
from agent_tui.core.tools.ignore import glob_matches
from agent_tui.core.tools.search import MAX_RESULTS, Walk, newest_first, rg_exclude_args, ripgrep


class GlobParams(BaseModel):
    pattern: str = Field(description='A glob such as "**/*.py", "src/**/test_*.ts" or "*.{json,yaml}".')
    path: str | None = Field(default=None, description="The folder to search (default: the working folder).")


class GlobTool(Tool):
    name = "glob"
    Params = GlobParams

    def __init__(self, *, use_ripgrep: bool | None = None) -> None:
        self.use_ripgrep = use_ripgrep

    async def execute(self, params: GlobParams, ctx: ToolContext) -> ToolResult:
        pattern = params.pattern.strip()
        if not pattern:
            raise ToolError("The pattern is empty. Example: **/*.py")
        base = await resolve_path(ctx, params.path or ".", access="read")
        if not base.exists():
            raise ToolError(f"Folder not found: {display_path(base, ctx)}")
        if not base.is_dir():
            raise ToolError(f"{display_path(base, ctx)} is a file; glob needs a folder.")
        if Path(pattern).is_absolute():
            raise ToolError("The pattern must be relative; put the folder in `path` instead.")
        rg = ripgrep(self.use_ripgrep)
        found = await (self._rg(rg, pattern, base, ctx) if rg else asyncio.to_thread(self._python, pattern, base, ctx))
        ordered = newest_first(found)
        shown = ordered[:MAX_RESULTS]
        lines = [display_path(p, ctx) for p in shown]
        if not lines:
            output = f"No files match {pattern!r} in {display_path(base, ctx)}."
        else:
            output = "\n".join(lines)
            if len(ordered) > MAX_RESULTS:
                output += (
                    f"\n\n(Showing the {MAX_RESULTS} most recently modified of {len(ordered)} matches. "
                    "Use a more specific pattern or path to see the rest.)"
                )
        return ToolResult(
            title=pattern,
            output=output,
            metadata={"count": len(ordered), "truncated": len(ordered) > MAX_RESULTS, "files": lines},
        )

    def _python(self, pattern: str, base: Path, ctx: ToolContext) -> list[Path]:
        walk = Walk.for_path(base, ctx)
        return [p for p in walk.files(ctx.abort.is_set) if glob_matches(pattern, p.relative_to(walk.base).as_posix())]

    async def _rg(self, rg: str, pattern: str, base: Path, ctx: ToolContext) -> list[Path]:
        proc = await asyncio.create_subprocess_exec(
            rg, "--files", *rg_exclude_args(), "--glob", pattern, ".",
            cwd=base, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        if proc.returncode not in (0, 1):
            raise ToolError(f"ripgrep failed: {err.decode(errors='replace').strip()[:500]}")
        return [base / line.removeprefix("./") for line in out.decode(errors="replace").splitlines() if line]
