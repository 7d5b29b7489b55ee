"""A unified diff drawn as a reader expects it: old and new line numbers in a gutter, a sign column, and added or
removed lines on a tinted background across the whole width (long lines wrap under their own text).

Used by the edit/write/patch panels of the transcript and by the permission dialog. File header lines collapse
to the file's name; hunk headers show where the hunk starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text
from textual.color import Color

from agent_tui.core.terminal_text import escape_controls

if TYPE_CHECKING:
    from agent_tui.tui.transcript.render import Styles

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$")
Kind = Literal["file", "hunk", "add", "remove", "context", "note"]


@dataclass(frozen=True)
class DiffStyles:
    add: Style  # an added line: its background tint (and colour)
    remove: Style
    add_sign: Style
    remove_sign: Style
    number: Style  # the line-number gutter
    hunk: Style
    file: Style
    context: Style

    @classmethod
    def from_theme(cls, variables: dict[str, str]) -> DiffStyles:
        """Styles from a Textual theme's variables (`App.theme_variables`), for widgets without component
        classes (the permission dialog)."""
        background = Color.parse(variables.get("background", "#000000"))
        success = Color.parse(variables.get("success", "#00a000"))
        error = Color.parse(variables.get("error", "#c00000"))
        muted = Color.parse(variables.get("foreground", "#cccccc")).blend(background, 0.45)
        text = variables.get("foreground", "#cccccc")
        return cls(
            add=Style(color=text, bgcolor=background.blend(success, 0.18).rich_color),
            remove=Style(color=text, bgcolor=background.blend(error, 0.18).rich_color),
            add_sign=Style(color=success.rich_color, bold=True),
            remove_sign=Style(color=error.rich_color, bold=True),
            number=Style(color=muted.rich_color),
            hunk=Style(color=Color.parse(variables.get("secondary", "#8888ff")).rich_color),
            file=Style(color=text, bold=True),
            context=Style(color=text),
        )

    @classmethod
    def from_transcript(cls, styles: Styles) -> DiffStyles:
        """Styles from the transcript's component classes (`styles/transcript.tcss`)."""
        return cls(add=styles["diff-add-line"], remove=styles["diff-remove-line"], add_sign=styles["diff-add"],
                   remove_sign=styles["diff-remove"], number=styles["diff-number"], hunk=styles["diff-hunk"],
                   file=styles["diff-header"], context=Style.null())


@dataclass(frozen=True)
class DiffRow:
    kind: Kind
    text: str
    old: int | None = None
    new: int | None = None


def diff_rows(diff: str) -> list[DiffRow]:
    rows: list[DiffRow] = []
    old = new = 0
    for line in escape_controls(diff).expandtabs(4).splitlines():
        if line.startswith(("--- ", "diff ", "index ", "new file", "deleted file", "similarity", "rename ")):
            continue
        if line.startswith("+++ "):
            name = line[4:].strip()
            rows.append(DiffRow("file", name[2:] if name.startswith(("a/", "b/")) else name))
            continue
        if match := HUNK.match(line):
            old, new = int(match.group(1)), int(match.group(2))
            rows.append(DiffRow("hunk", match.group(3).strip()))
        elif line.startswith("+"):
            rows.append(DiffRow("add", line[1:], new=new))
            new += 1
        elif line.startswith("-"):
            rows.append(DiffRow("remove", line[1:], old=old))
            old += 1
        elif line.startswith("\\"):
            rows.append(DiffRow("note", line[1:].strip()))
        else:
            rows.append(DiffRow("context", line[1:] if line.startswith(" ") else line, old=old, new=new))
            old += 1
            new += 1
    return rows


class DiffView:
    """A Rich renderable of a unified diff (see the module's docstring)."""

    def __init__(self, diff: str, styles: DiffStyles) -> None:
        self.rows = diff_rows(diff)
        self.styles = styles

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        styles = self.styles
        width = options.max_width
        numbers = [n for row in self.rows for n in (row.old, row.new) if n is not None]
        digits = len(str(max(numbers))) if numbers else 1
        gutter = 2 * digits + 2
        body = max(8, width - gutter - 2)
        for row in self.rows:
            if row.kind == "file":
                yield from self._line(Text(row.text or "(file)", styles.file), width)
                continue
            if row.kind == "hunk":
                label = "⋯" + (f" {row.text}" if row.text else "")
                yield from self._line(Text(label, styles.hunk), width)
                continue
            style = {"add": styles.add, "remove": styles.remove, "note": styles.number}.get(row.kind, styles.context)
            sign, sign_style = {"add": ("+", styles.add_sign), "remove": ("-", styles.remove_sign)}.get(
                row.kind, (" ", styles.number))
            old = f"{row.old:>{digits}}" if row.old is not None and row.kind != "add" else " " * digits
            new = f"{row.new:>{digits}}" if row.new is not None and row.kind != "remove" else " " * digits
            wrapped = Text(row.text, style=style).wrap(console, body, overflow="fold") or [Text("", style=style)]
            for index, piece in enumerate(wrapped):
                line = Text()
                line.append(f"{old} {new} " if index == 0 else " " * gutter, styles.number)
                line.append(f"{sign} " if index == 0 else "  ", sign_style + Style(bgcolor=style.bgcolor))
                piece.rstrip()
                line.append_text(piece)
                line.pad_right(max(0, width - line.cell_len))
                line.stylize(Style(bgcolor=style.bgcolor), gutter)
                yield from self._line(line, width)

    @staticmethod
    def _line(text: Text, width: int) -> RenderResult:
        text.no_wrap = True
        text.overflow = "crop"
        text.truncate(width, pad=True)
        yield text
