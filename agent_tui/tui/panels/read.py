"""`read`: a short highlighted preview of what the model read."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType

from agent_tui.core.models import ToolPart
from agent_tui.tui.panels.base import ToolPanel, capped_lines, more_line, plain_output, text_input
from agent_tui.tui.transcript.render import RenderContext

PREVIEW_LINES = 10
# The read tool numbers its lines ("    12\tcode" or "12│code"); the preview draws its own numbers.
_NUMBERED = re.compile(r"^\s*(\d+)(?:\t|[│|:] ?)(.*)$")
_HINT = re.compile(r"^\s*[(<\[]")  # notes the tool adds after the content ("(more lines remain …)")


def numbered_content(output: str) -> tuple[int, list[str]]:
    """The first line number and the lines without their numbers (or 1 and the lines as they are)."""
    first: int | None = None
    lines: list[str] = []
    for line in output.splitlines():
        match = _NUMBERED.match(line)
        if match:
            if first is None:
                first = int(match.group(1))
            lines.append(match.group(2))
        elif first is None:
            continue  # a header before the numbered content
        elif _HINT.match(line) or not line.strip():
            break
        else:
            lines.append(line)
    if first is None:
        return 1, output.splitlines()
    return first, lines


class ReadPanel(ToolPanel):
    tools = ("read",)

    def title(self, part: ToolPart) -> str:
        path = text_input(part, "file_path", "path", "filePath")
        offset = part.state.input.get("offset")
        limit = part.state.input.get("limit")
        if path and (offset or limit):
            return f"{path}:{offset or 1}" + (f"+{limit}" if limit else "")
        return path or part.state.title or ""

    def summary(self, part: ToolPart) -> str:
        if part.state.status != "completed":
            return ""
        _, lines = numbered_content(plain_output(part))
        return f"{len(lines)} lines"

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        output = plain_output(part)
        if not output.strip():
            return None
        start, lines = numbered_content(output)
        shown, hidden = capped_lines("\n".join(lines), PREVIEW_LINES)
        path = text_input(part, "file_path", "path", "filePath")
        code = "\n".join(shown)
        from rich.syntax import Syntax  # pygments: loaded with the first such panel drawn

        lexer = Syntax.guess_lexer(path, code) if path else "text"
        syntax = Syntax(
            code, lexer, theme=ctx.code_theme, line_numbers=True, start_line=start, word_wrap=False,
            background_color="default",
        )
        return Group(syntax, more_line(hidden, ctx.styles)) if hidden else syntax
