"""`grep`: search file contents with a regular expression; files with matches newest first."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.fs import SNIFF_BYTES, display_path, looks_binary, resolve_path
from agent_tui.core.tools.search import MAX_RESULTS, Walk, mtime, rg_exclude_args, ripgrep

MAX_LINE_CHARS = 500
MAX_FILE_BYTES = 10 * 1024 * 1024  # the Python fallback skips bigger files (ripgrep does not need to)

Matches = dict[Path, list[tuple[int, str]]]
Counts = dict[Path, int]  # every match of a file, also those not kept


class GrepParams(BaseModel):
    pattern: str = Field(description=r"A regular expression, e.g. 'def \w+_test' or 'TODO|FIXME'.")
    path: str | None = Field(default=None, description="The folder or file to search (default: the working folder).")
    include: str | None = Field(default=None, description='Only files matching this glob, e.g. "*.py", "*.{ts,tsx}".')


class GrepTool(Tool):
    name = "grep"
    Params = GrepParams

    def __init__(self, *, use_ripgrep: bool | None = None) -> None:
        self.use_ripgrep = use_ripgrep

    async def execute(self, params: GrepParams, ctx: ToolContext) -> ToolResult:
        if not params.pattern:
            raise ToolError("The pattern is empty.")
        try:
            regex = re.compile(params.pattern)
        except re.error as exc:
            raise ToolError(
                f"Invalid regular expression {params.pattern!r}: {exc}. Escape special characters "
                r"(e.g. '\(' for a literal parenthesis)."
            ) from exc
        base = await resolve_path(ctx, params.path or ".", access="read")
        if not base.exists():
            raise ToolError(f"Path not found: {display_path(base, ctx)}")
        rg = ripgrep(self.use_ripgrep)
        if rg:
            matches, counts = await self._rg(rg, params.pattern, params.include, base)
        else:
            matches, counts = await asyncio.to_thread(self._python, regex, params.include, base, ctx)

        files = sorted(matches, key=lambda p: (-mtime(p), str(p)))
        total = sum(counts.values())
        out: list[str] = []
        shown = 0
        for path in files:
            if shown >= MAX_RESULTS:
                break
            out.append(f"{display_path(path, ctx)}:")
            for number, text in matches[path][: MAX_RESULTS - shown]:
                cut = text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " …"
                out.append(f"  {number}: {cut}")
                shown += 1
            out.append("")
        if not total:
            output = f"No matches for {params.pattern!r} in {display_path(base, ctx)}."
        else:
            header = f"Found {total} match{'es' if total != 1 else ''} in {len(files)} file{'s' * (len(files) != 1)}"
            output = header + " (newest files first):\n" + "\n".join(out).rstrip()
            if total > shown:
                output += (
                    f"\n\n(Showing {shown} of {total} matches. Narrow the pattern, the path or the include filter "
                    "to see the rest.)"
                )
        return ToolResult(
            title=params.pattern,
            output=output,
            metadata={"matches": total, "files": len(files), "truncated": total > shown},
        )

    def _python(
        self, regex: re.Pattern[str], include: str | None, base: Path, ctx: ToolContext
    ) -> tuple[Matches, Counts]:
        matches: Matches = {}
        counts: Counts = {}
        walk = Walk.for_path(base, ctx)
        for path in walk.files(ctx.abort.is_set, include=include):
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
                with path.open("rb") as f:
                    if looks_binary(f.read(SNIFF_BYTES)):
                        continue
                found: list[tuple[int, str]] = []
                count = 0
                with path.open("r", encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, start=1):
                        if regex.search(line):
                            count += 1
                            if len(found) < MAX_RESULTS:
                                found.append((number, line.rstrip("\r\n")))
            except OSError:
                continue
            if found:
                matches[path] = found
                counts[path] = count
        return matches, counts

    async def _rg(self, rg: str, pattern: str, include: str | None, base: Path) -> tuple[Matches, Counts]:
        args = [rg, "--json", *rg_exclude_args(), "--max-count", str(MAX_RESULTS)]
        if include:
            args += ["--glob", include]
        args += ["-e", pattern, str(base)]
        proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await proc.communicate()
        if proc.returncode == 2 and not out:
            message = err.decode(errors="replace").strip()
            raise ToolError(f"ripgrep rejected the search: {message[:800]}")
        matches: Matches = {}
        for line in out.decode(errors="replace").splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if item.get("type") != "match":
                continue
            data = item["data"]
            path_text = data.get("path", {}).get("text")
            line_text = data.get("lines", {}).get("text", "")
            if path_text is None:
                continue
            matches.setdefault(Path(path_text), []).append(
                (int(data.get("line_number") or 0), line_text.rstrip("\r\n"))
            )
        # rg stops each file at --max-count, so its totals are a lower bound.
        return matches, {path: len(found) for path, found in matches.items()}
