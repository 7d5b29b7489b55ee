"""Parse and apply the "*** Begin Patch" format (add, update, move and delete files with context hunks).

    *** Begin Patch
    *** Add File: path/new.py
    +line of the new file
    *** Update File: path/old.py
    *** Move to: path/renamed.py          (optional)
    @@ def some_function():               (optional anchor: a line above the change)
     context line
    -removed line
    +added line
    *** End of File                       (optional: the hunk ends at the end of the file)
    *** Delete File: path/gone.py
    *** End Patch

Applying is pure (strings in, strings out); the tool does the file system work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.fuzzy_match import nearest_candidate

BEGIN, END = "*** Begin Patch", "*** End Patch"
ADD, UPDATE, DELETE, MOVE = "*** Add File:", "*** Update File:", "*** Delete File:", "*** Move to:"
END_OF_FILE = "*** End of File"


class PatchError(ToolError):
    pass


@dataclass
class Hunk:
    anchor: str | None
    old: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    markers: str = ""  # one of " -+" per hunk line, to keep the file's own text for context lines
    at_end: bool = False
    line: int = 0  # where the hunk starts in the patch text, for messages


@dataclass
class FileOp:
    kind: Literal["add", "update", "delete"]
    path: str
    move_to: str | None = None
    content: str = ""  # for add
    hunks: list[Hunk] = field(default_factory=list)


def parse(text: str) -> list[FileOp]:
    lines = text.strip().split("\n")
    lines = [line.rstrip("\r") for line in lines]
    # Tolerate a shell heredoc wrapper around the patch (`apply_patch <<'EOF'` … `EOF`).
    start = next((i for i, line in enumerate(lines) if line.strip() == BEGIN), None)
    if start is None:
        raise PatchError(f"The patch must start with a line '{BEGIN}'.")
    end = next((i for i in range(len(lines) - 1, start, -1) if lines[i].strip() == END), None)
    if end is None:
        raise PatchError(f"The patch must end with a line '{END}'.")
    ops: list[FileOp] = []
    i = start + 1
    while i < end:
        line = lines[i].strip()  # headers may come indented or with trailing spaces, like Begin/End Patch
        if line.startswith(ADD):
            op = FileOp("add", _header_path(line, ADD, i))
            i += 1
            body: list[str] = []
            while i < end and not lines[i].strip().startswith("*** "):
                if not lines[i].startswith("+"):
                    raise PatchError(f"Patch line {i + 1}: every line of an added file starts with '+'.")
                body.append(lines[i][1:])
                i += 1
            op.content = "\n".join(body) + ("\n" if body else "")
            ops.append(op)
        elif line.startswith(DELETE):
            ops.append(FileOp("delete", _header_path(line, DELETE, i)))
            i += 1
        elif line.startswith(UPDATE):
            op = FileOp("update", _header_path(line, UPDATE, i))
            i += 1
            if i < end and lines[i].strip().startswith(MOVE):
                op.move_to = _header_path(lines[i], MOVE, i)
                i += 1
            i = _parse_hunks(lines, i, end, op)
            if not op.hunks and op.move_to is None:
                raise PatchError(f"Patch line {i}: '{UPDATE} {op.path}' has no hunks.")
            ops.append(op)
        elif not line.strip():
            i += 1
        else:
            raise PatchError(
                f"Patch line {i + 1}: expected '{ADD}', '{UPDATE}', '{DELETE}' or '{END}', got: {line[:80]!r}"
            )
    if not ops:
        raise PatchError("The patch contains no file operations.")
    return ops


def _header_path(line: str, prefix: str, index: int) -> str:
    path = line.strip()[len(prefix) :].strip()
    if not path:
        raise PatchError(f"Patch line {index + 1}: '{prefix}' needs a file path.")
    return path


def _parse_hunks(lines: list[str], i: int, end: int, op: FileOp) -> int:
    hunk: Hunk | None = None
    while i < end:
        line = lines[i]
        if line.strip().startswith((ADD, UPDATE, DELETE)):
            break
        if line.startswith("@@"):
            anchor = line[2:].strip()
            if anchor.endswith("@@"):  # unified-diff style "@@ -1,3 +1,4 @@ anchor"
                anchor = ""
            elif "@@" in anchor:
                anchor = anchor.split("@@", 1)[1].strip()
            hunk = Hunk(anchor=anchor or None, line=i + 1)
            op.hunks.append(hunk)
        elif line.strip() == END_OF_FILE:
            if hunk is None:
                raise PatchError(f"Patch line {i + 1}: '{END_OF_FILE}' outside a hunk.")
            hunk.at_end = True
        else:
            if hunk is None:  # the first hunk may omit its "@@" line
                hunk = Hunk(anchor=None, line=i + 1)
                op.hunks.append(hunk)
            marker, body = (line[:1], line[1:]) if line else (" ", "")
            if marker == " ":
                hunk.old.append(body)
                hunk.new.append(body)
            elif marker == "-":
                hunk.old.append(body)
            elif marker == "+":
                hunk.new.append(body)
            if marker in " -+":
                hunk.markers += marker
            else:
                raise PatchError(
                    f"Patch line {i + 1}: a hunk line must start with ' ', '-' or '+', got: {line[:80]!r}"
                )
        i += 1
    return i


_EQUALITIES: tuple[Callable[[str], str], ...] = (lambda s: s, str.rstrip, str.strip)


def _find(lines: list[str], wanted: list[str], start: int, at_end: bool) -> int | None:
    k = len(wanted)
    for normalize in _EQUALITIES:
        target = [normalize(w) for w in wanted]
        if at_end:
            i = len(lines) - k
            if i >= start and [normalize(x) for x in lines[i:]] == target:
                return i
        for i in range(start, len(lines) - k + 1):
            if [normalize(x) for x in lines[i : i + k]] == target:
                return i
    return None


def apply_hunks(content: str, hunks: list[Hunk], path: str) -> str:
    """Apply the hunks in order to `content` (LF endings). Raises PatchError naming the failing hunk."""
    had_newline = content.endswith("\n") or content == ""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    cursor = 0
    for number, hunk in enumerate(hunks, start=1):
        where = f"{path}, hunk {number} (patch line {hunk.line})"
        if hunk.anchor is not None:
            found = _find(lines, [hunk.anchor], cursor, False)
            if found is None:
                found = _find(lines, [hunk.anchor], 0, False)
            if found is None:
                raise PatchError(f"{where}: the '@@ {hunk.anchor}' line was not found in the file.")
            cursor = found + 1
        if not hunk.old:
            at = len(lines) if hunk.at_end or hunk.anchor is None else cursor
            lines[at:at] = hunk.new
            cursor = at + len(hunk.new)
            continue
        found = _find(lines, hunk.old, cursor, hunk.at_end)
        if found is None:
            found = _find(lines, hunk.old, 0, hunk.at_end)
        if found is None:
            expected = "\n".join(hunk.old[:30])
            raise PatchError(
                f"{where}: these lines were not found in the file:\n{expected}\n"
                + nearest_candidate(lines, hunk.old).strip()
            )
        replacement = _with_file_context(hunk, lines[found : found + len(hunk.old)])
        lines[found : found + len(hunk.old)] = replacement
        cursor = found + len(replacement)
    result = "\n".join(lines)
    return result + "\n" if (had_newline and lines) else result


def _with_file_context(hunk: Hunk, matched: list[str]) -> list[str]:
    """The hunk's new lines, with context lines taken from the file (a tolerant match keeps its whitespace)."""
    out: list[str] = []
    old_i = new_i = 0
    for marker in hunk.markers:
        if marker == " ":
            out.append(matched[old_i])
            old_i += 1
            new_i += 1
        elif marker == "-":
            old_i += 1
        else:
            out.append(hunk.new[new_i])
            new_i += 1
    return out
