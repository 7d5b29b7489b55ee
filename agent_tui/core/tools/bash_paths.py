"""What a bash command line touches on disk, for its permission requests: a redirection into a file inside the
project is an edit (asked under `edit`, like the edit tools), and any path the command names that resolves
outside the project asks under `external_directory`, as paths given to the file tools do (`cat ../secret`).

Only what the parser can read literally is judged: `$VAR`, `$(…)` and globs are not expanded (a write through
one is still an edit). An argument counts as a path when it looks like one (`/x`, `~/x`, `../x`, `a/b`,
`--out=/x`) and it, or its folder, exists; so a regex like `'^/api/'` does not ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.tools.base import PermissionRequest, ToolContext
from agent_tui.core.tools.fs import display_path
from agent_tui.core.tools.shell import ParsedCommand, Word

# Device files a command may read or write freely.
_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty", "/dev/zero", "/dev/random",
            "/dev/urandom")


@dataclass
class PathUses:
    edits: list[Path] = field(default_factory=list)  # files inside the project written by a redirection
    dynamic_edits: list[str] = field(default_factory=list)  # redirection targets only known when it runs
    outside: list[Path] = field(default_factory=list)  # paths outside the project the command names
    outside_writes: bool = False


def _looks_like_path(value: str) -> bool:
    if not value or "://" in value or "\n" in value:
        return False
    return value.startswith(("/", "~", "./", "../")) or value in (".", "..") or "/" in value


def _is_device(path: Path) -> bool:
    text = str(path)
    return text in _DEVICES or text.startswith("/dev/fd/") or text.startswith("/proc/self/fd/")


def _candidates(word: Word) -> list[str]:
    value = word.value
    if value is None:
        return []
    if value.startswith("-"):
        # `--output=/x` names a path; other flags do not.
        _, sep, rest = value.partition("=")
        return [rest] if sep and _looks_like_path(rest) else []
    return [value] if _looks_like_path(value) else []


def find_path_uses(parsed: ParsedCommand, ctx: ToolContext) -> PathUses:
    uses = PathUses()
    saved_output = paths.tool_output_dir().resolve()

    def outside(path: Path, *, write: bool) -> None:
        if _is_device(path) or ctx.is_inside_project(path):
            return
        if not write and (path.resolve() == saved_output or saved_output in path.resolve().parents):
            return  # the saved output of earlier tools, which the model is told to read
        if path not in uses.outside:
            uses.outside.append(path)
        uses.outside_writes = uses.outside_writes or write

    for redirect in parsed.redirects:
        target = redirect.target.value
        if redirect.operator in (">&", "<&") and (target is None or target.isdigit() or target == "-"):
            continue  # `2>&1`: another descriptor, not a file
        if target is None:
            if redirect.writes:
                uses.dynamic_edits.append(redirect.target.text)
            continue
        path = ctx.resolve(target)
        if _is_device(path):
            continue
        if redirect.writes and ctx.is_inside_project(path):
            if path not in uses.edits:
                uses.edits.append(path)
        else:
            outside(path, write=redirect.writes)

    for command in parsed.commands:
        for word in command.words[1:]:
            for value in _candidates(word):
                path = ctx.resolve(value)
                if ctx.is_inside_project(path) or not (path.exists() or path.parent.is_dir()):
                    continue
                outside(path, write=False)
    return uses


async def ask_for_paths(ctx: ToolContext, command: str, parsed: ParsedCommand) -> None:
    """Ask `external_directory` for the paths outside the project and `edit` for redirections into files."""
    uses = find_path_uses(parsed, ctx)
    if uses.outside:
        folders = sorted({str((p if p.is_dir() else p.parent).resolve()).rstrip("/") + "/*" for p in uses.outside})
        shown = ", ".join(str(p) for p in uses.outside[:5]) + (" …" if len(uses.outside) > 5 else "")
        await ctx.ask(
            PermissionRequest(
                permission="external_directory",
                title=f"Run a command that uses {shown} (outside the project {ctx.root})",
                patterns=folders,
                metadata={"command": command, "paths": [str(p) for p in uses.outside],
                          "access": "write" if uses.outside_writes else "read"},
            )
        )
    targets = [display_path(p, ctx) for p in uses.edits] + uses.dynamic_edits
    if targets:
        await ctx.ask(
            PermissionRequest(
                permission="edit",
                title=f"Write {', '.join(targets)} (output of a command)",
                patterns=[str(p) for p in uses.edits] + uses.dynamic_edits,
                metadata={"command": command, "path": str(uses.edits[0]) if uses.edits else targets[0],
                          "files": targets},
            )
        )

