"""The interface of a tool panel: a short title from the call's input and a body drawn from its state."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text

from agent_tui.core.models import ToolPart
from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.transcript.render import RenderContext, Styles

MAX_BODY_LINES = 40  # an expanded panel shows at most this many lines of output; the rest is counted


class ToolPanel:
    """Shows one tool call. Subclasses override `title` and `body`; one instance serves every call."""

    tools: ClassVar[tuple[str, ...]] = ()
    expanded_by_default: ClassVar[bool] = False
    expanded_while_running: ClassVar[bool] = False

    def title(self, part: ToolPart) -> str:
        """A short description of the call from its input (a command, a path, a pattern)."""
        return escape_controls(part.state.title or "")

    def summary(self, part: ToolPart) -> str:
        """A few words after the title once the call is done (e.g. "+3 -1", "12 matches")."""
        return ""

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        """What the expanded panel shows, or None when there is nothing beyond the header."""
        return None


def text_input(part: ToolPart, *names: str) -> str:
    """The first of `names` present in the call's input, as a string."""
    for name in names:
        value = part.state.input.get(name)
        if value not in (None, ""):
            return escape_controls(str(value))
    return ""


def one_line(text: str, limit: int = 80) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if len(first) > limit or "\n" in text.strip():
        return first[: limit - 1].rstrip() + "…"
    return first


def capped_lines(text: str, limit: int = MAX_BODY_LINES, *, tail: bool = False) -> tuple[list[str], int]:
    """At most `limit` lines of `text` (its head, or its tail for live output) and how many were left out."""
    lines = text.rstrip("\n").splitlines()
    hidden = max(0, len(lines) - limit)
    if not hidden:
        return lines, 0
    return (lines[-limit:] if tail else lines[:limit]), hidden


def more_line(hidden: int, styles: Styles, *, before: bool = False) -> Text:
    where = "earlier" if before else "more"
    return Text(f"… {hidden} {where} line{'s' if hidden != 1 else ''}", style=styles["dim"])


def plain_output(part: ToolPart) -> str:
    """The call's output so far: the final output, or live output a running tool published in its metadata."""
    if part.state.output is not None:
        return escape_controls(part.state.output)
    live = part.state.metadata.get("output")
    return escape_controls(live) if isinstance(live, str) else ""


def compact_json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError):
        return repr(value)
