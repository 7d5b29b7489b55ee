"""How a user message's long pastes look in the log: the chips in its text stand out, and each paste gets one
line under it (`└ pasted text #1 · 100,000 lines · 7.2 MB · its first line…`), never its lines.

The log never holds a paste's text either: `light` empties it as parts arrive (the database keeps it, and the
prompt reads it back from there when the message is edited or sent again).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from agent_tui.core.models import Part, PastedText, TextPart
from agent_tui.core.session.pastes import chip
from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.transcript.render import RenderContext, to_strips

MARK = "└ "


def light(part: Part) -> Part:
    """`part` as the log keeps it: a paste without its text (the summary is all the log shows)."""
    if isinstance(part, TextPart) and part.paste is not None and part.text:
        return part.model_copy(update={"text": ""})
    return part


def style_chips(text: Text, pastes: list[PastedText], style: Style) -> None:
    for paste in pastes:
        token = chip(paste)
        start = text.plain.find(token)
        while start != -1:
            text.stylize(style, start, start + len(token))
            start = text.plain.find(token, start + len(token))


def paste_lines(ctx: RenderContext, pastes: list[PastedText], width: int) -> list[Strip]:
    lines: list[Strip] = []
    styles = ctx.styles
    for paste in pastes:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(MARK + chip(paste)[1:-1], styles["chip"])
        if paste.preview:
            line.append(f"  {escape_controls(paste.preview)}", styles["dim"])
        lines += to_strips(ctx, line, width)
    return lines
