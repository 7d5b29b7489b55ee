"""`read`: a text file with line numbers, a window of it for big files, or an image as an attachment."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Attachment, Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.fs import SNIFF_BYTES, display_path, looks_binary, require_file, resolve_path, sniff_image
from agent_tui.core.tools.textfile import python_encoding

DEFAULT_LIMIT = 2000
MAX_LINE_CHARS = 2000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_CHUNK = 1024 * 1024


class ReadParams(BaseModel):
    file_path: str = Field(description="The file to read: relative to the project folder, or absolute.")
    offset: int | None = Field(
        default=None, description="The line number to start at (1 = the first line). Only for large files."
    )
    limit: int | None = Field(
        default=None, description=f"How many lines to read (default {DEFAULT_LIMIT}). Only for large files."
    )


def _count_lines(path: Path) -> int:
    """Count lines without holding the file in memory."""
    count = 0
    last = b""
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            count += chunk.count(b"\n")
            last = chunk
    if last and not last.endswith(b"\n"):
        count += 1
    return count


def _read_line(f: io.TextIOBase) -> tuple[str, bool] | None:
    """One line (without its ending), cut at MAX_LINE_CHARS; the rest of a long line is skipped, not stored."""
    line = f.readline(MAX_LINE_CHARS + 1)
    if not line:
        return None
    cut = False
    if not line.endswith("\n") and len(line) > MAX_LINE_CHARS:
        cut = True
        while True:  # skip the remainder of the line in bounded pieces
            rest = f.readline(_CHUNK)
            if not rest or rest.endswith("\n"):
                break
    return line.rstrip("\r\n")[:MAX_LINE_CHARS], cut


class ReadTool(Tool):
    name = "read"
    Params = ReadParams

    async def execute(self, params: ReadParams, ctx: ToolContext) -> ToolResult:
        path = await resolve_path(ctx, params.file_path, access="read")
        require_file(path, ctx)
        shown = display_path(path, ctx)
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
        mime = sniff_image(head)
        if mime is not None:
            return self._image(path, shown, mime, ctx)
        if looks_binary(head):
            size = path.stat().st_size
            raise ToolError(
                f"{shown} is a binary file ({size:,} bytes); it cannot be shown as text. "
                "Use bash with a suitable tool (e.g. `file`, `xxd | head`, `unzip -l`) if you need to inspect it."
            )
        offset = params.offset if params.offset is not None else 1
        limit = params.limit if params.limit is not None else DEFAULT_LIMIT
        if offset < 1:
            raise ToolError("offset is a line number and starts at 1.")
        if limit < 1:
            raise ToolError("limit must be at least 1.")
        # A thread: walking to line 900,000 of a 50 MB file must not freeze the app.
        # The front end's view of the file (an editor's unsaved buffer) when it offers one.
        source = await ctx.files.read_text(path) if ctx.files is not None else None
        return await asyncio.to_thread(self._text, path, shown, offset, limit, ctx, python_encoding(head), source)

    def _image(self, path: Path, shown: str, mime: str, ctx: ToolContext) -> ToolResult:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise ToolError(f"{shown} is an image of {size / 1e6:.1f} MB; images over 5 MB cannot be attached.")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        ctx.file_times.record_read(path)
        return ToolResult(
            title=shown,
            output=f"Image {shown} ({mime}, {size:,} bytes) is attached.",
            metadata={"path": str(path), "mime": mime, "bytes": size},
            attachments=[Attachment(mime=mime, filename=path.name, data_base64=data)],
        )

    def _text(
        self, path: Path, shown: str, offset: int, limit: int, ctx: ToolContext, encoding: str,
        source: str | None = None,
    ) -> ToolResult:
        lines: list[str] = []
        cut_lines = 0
        number = 0
        more = False
        opened = io.StringIO(source, newline="") if source is not None else path.open(
            "r", encoding=encoding, errors="replace", newline=""
        )
        with opened as f:
            while True:
                item = _read_line(f)
                if item is None:
                    break
                number += 1
                if number < offset:
                    continue
                if len(lines) >= limit:
                    more = True
                    break
                text, cut = item
                cut_lines += cut
                lines.append(f"{number:>6}\t{text}" + (" … [line cut at 2000 characters]" if cut else ""))
        ctx.file_times.record_read(path)

        if number == 0:
            return ToolResult(title=shown, output=f"({shown} is empty.)", metadata={"path": str(path), "lines": 0})
        if not lines:
            raise ToolError(f"offset {offset} is past the end of {shown}, which has {number} lines.")
        last = offset + len(lines) - 1
        if more:
            total = _count_lines(path) if source is None else source.count("\n") + (not source.endswith("\n"))
            footer = (
                f"(Showing lines {offset}-{last} of {total}. "
                f"Call read with offset={last + 1} to continue, or use grep to find what you need.)"
            )
        else:
            total = number
            footer = f"(End of file: {total} lines.)" if offset == 1 else f"(Lines {offset}-{last}; end of file.)"
        output = "\n".join(lines) + "\n\n" + footer
        return ToolResult(
            title=shown,
            output=output,
            metadata={
                "path": str(path),
                "offset": offset,
                "lines": len(lines),
                "total_lines": total,
                "more": more,
                "cut_lines": cut_lines,
                "preview": "\n".join(line.split("\t", 1)[1] for line in lines[:20]),
            },
        )
