"""`grep`, `glob`, `ls`: a compact list of what was found."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from agent_tui.core.models import ToolPart
from agent_tui.tui.panels.base import ToolPanel, capped_lines, more_line, plain_output, text_input
from agent_tui.tui.transcript.render import RenderContext

LIST_LINES = 12


def found_count(part: ToolPart) -> int | None:
    for key in ("count", "matches", "total"):
        value = part.state.metadata.get(key)
        if isinstance(value, int):
            return value
    return None


class ListingPanel(ToolPanel):
    tools = ("grep", "glob", "ls", "list")

    def title(self, part: ToolPart) -> str:
        pattern = text_input(part, "pattern", "glob")
        where = text_input(part, "path", "directory")
        include = text_input(part, "include")
        pieces = [piece for piece in (pattern, f"in {where}" if where and pattern else where) if piece]
        if include:
            pieces.append(f"({include})")
        return " ".join(pieces) or part.state.title or ""

    def summary(self, part: ToolPart) -> str:
        if part.state.status != "completed":
            return ""
        count = found_count(part)
        if count is None:
            count = len([line for line in plain_output(part).splitlines() if line.strip()])
        noun = {"grep": "match", "glob": "file"}.get(part.tool, "entry")
        plural = {"match": "matches", "file": "files", "entry": "entries"}[noun]
        return f"{count} {noun if count == 1 else plural}"

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        output = plain_output(part).strip("\n")
        if not output.strip():
            return None
        lines, hidden = capped_lines(output, LIST_LINES)
        text = Text("\n".join(lines), no_wrap=True, overflow="ellipsis")
        return Group(text, more_line(hidden, ctx.styles)) if hidden else text
