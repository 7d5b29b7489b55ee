"""MCP tools (`server_tool`) and tools without a panel of their own: the input and the output as text."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from agent_tui.core.models import ToolPart
from agent_tui.tui.panels.base import ToolPanel, capped_lines, compact_json, more_line, one_line, plain_output
from agent_tui.tui.transcript.render import RenderContext

INPUT_LINES = 8
OUTPUT_LINES = 16


class GenericPanel(ToolPanel):
    def title(self, part: ToolPart) -> str:
        if part.state.title:
            return one_line(part.state.title)
        for value in part.state.input.values():
            if isinstance(value, str) and value.strip():
                return one_line(value, 60)
        return ""

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        styles = ctx.styles
        rows: list[RenderableType] = []
        source = part.state.input or part.state.raw_input
        if source:
            shown = compact_json(source) if not isinstance(source, str) else source
            lines, hidden = capped_lines(shown, INPUT_LINES)
            rows.append(Text("input ", style=styles["dim"]))
            rows.append(Text("\n".join(lines)))
            if hidden:
                rows.append(more_line(hidden, styles))
        output = plain_output(part)
        if output.strip():
            lines, hidden = capped_lines(output, OUTPUT_LINES)
            rows.append(Text("output ", style=styles["dim"]))
            rows.append(Text("\n".join(lines)))
            if hidden:
                rows.append(more_line(hidden, styles))
        return Group(*rows) if rows else None
