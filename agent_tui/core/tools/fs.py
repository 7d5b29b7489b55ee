"""File helpers shared by the tools: resolving model-supplied paths (with the outside-the-project permission),
telling text from binary, reading text, and writing atomically.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Literal

from agent_tui.core import paths
from agent_tui.core.tools.base import PermissionRequest, ToolContext, ToolError
from agent_tui.core.tools.textfile import TextFile, bom_encoding

SNIFF_BYTES = 8192
IMAGE_MIMES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def display_path(path: Path, ctx: ToolContext) -> str:
    """The path as the model and user should see it: relative inside the project, absolute outside."""
    try:
        return str(path.relative_to(ctx.root))
    except ValueError:
        return str(path)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


async def resolve_path(ctx: ToolContext, raw: str, *, access: Literal["read", "write"]) -> Path:
    """Resolve `raw` against the working folder; a path outside the project asks `external_directory` first.

    Reads of saved tool output (the path the truncation note gives the model) are always allowed.
    """
    if not raw or not raw.strip():
        raise ToolError("The path is empty. Give a file path, relative to the project or absolute.")
    if "\x00" in raw:
        raise ToolError("The path contains a NUL character.")
    path = ctx.resolve(raw.strip())
    if ctx.is_inside_project(path):
        return path
    if access == "read" and _inside(path, paths.tool_output_dir()):
        return path
    folder = path if path.is_dir() else path.parent
    verb = "Read" if access == "read" else "Change"
    await ctx.ask(
        PermissionRequest(
            permission="external_directory",
            title=f"{verb} {path} (outside the project {ctx.root})",
            patterns=[str(folder.resolve()).rstrip("/") + "/*"],
            metadata={"path": str(path), "access": access},
        )
    )
    return path


def sniff_image(head: bytes) -> str | None:
    for magic, mime in IMAGE_MIMES.items():
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def looks_binary(head: bytes) -> bool:
    """NUL bytes, or (for non-UTF-8 data) many control characters, mean binary."""
    if not head:
        return False
    if bom_encoding(head) is not None:  # UTF-16/32 text has NUL bytes but says what it is
        return False
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the sniff window
            return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.1


def is_binary_file(path: Path) -> bool:
    with path.open("rb") as f:
        return looks_binary(f.read(SNIFF_BYTES))


def suggest_similar(path: Path, ctx: ToolContext) -> str:
    """A hint naming files near `path` whose names are close to the one asked for."""
    parent = path.parent
    if not parent.is_dir():
        return f" The folder {display_path(parent, ctx)} does not exist either."
    try:
        names = [entry.name for entry in os.scandir(parent)]
    except OSError:
        return ""
    lowered = {n.lower(): n for n in names}
    matches = [lowered[path.name.lower()]] if path.name.lower() in lowered else []
    matches += [n for n in difflib.get_close_matches(path.name, names, n=5, cutoff=0.5) if n not in matches]
    if not matches:
        return ""
    shown = ", ".join(display_path(parent / m, ctx) for m in matches[:5])
    return f" Did you mean: {shown}?"


def require_file(path: Path, ctx: ToolContext) -> None:
    """Raise a helpful ToolError unless `path` is an existing regular file."""
    if path.is_dir():
        raise ToolError(f"{display_path(path, ctx)} is a directory, not a file. Use the ls tool to list it.")
    if not path.exists():
        raise ToolError(f"File not found: {display_path(path, ctx)}.{suggest_similar(path, ctx)}")
    if not path.is_file():
        raise ToolError(f"{display_path(path, ctx)} is not a regular file.")


def read_text_file(path: Path, ctx: ToolContext, *, max_bytes: int = 20 * 1024 * 1024) -> TextFile:
    """The whole file for editing, with its encoding and line endings. Refuses binary and oversized files."""
    require_file(path, ctx)
    size = path.stat().st_size
    if size > max_bytes:
        raise ToolError(
            f"{display_path(path, ctx)} is {size / 1e6:.1f} MB, too large to edit with this tool "
            f"(limit {max_bytes // 1_000_000} MB). Use bash (e.g. sed) for targeted changes."
        )
    data = path.read_bytes()
    if looks_binary(data[:SNIFF_BYTES]):
        raise ToolError(f"{display_path(path, ctx)} is a binary file; it cannot be edited as text.")
    try:
        return TextFile.decode(data)
    except UnicodeDecodeError as exc:
        raise ToolError(
            f"{display_path(path, ctx)} is not valid UTF-8 (byte {exc.start}); it cannot be edited safely as text."
        ) from exc
