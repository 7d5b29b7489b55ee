"""`edit`, `multiedit`, `write`, `patch`: the change as a coloured unified diff from `metadata["diff"]`."""

from __future__ import annotations

from rich.console import Group, RenderableType

from agent_tui.core.models import ToolPart
from agent_tui.tui.diff_view import DiffStyles, DiffView
from agent_tui.tui.panels.base import MAX_BODY_LINES, ToolPanel, capped_lines, more_line, text_input
from agent_tui.tui.transcript.render import RenderContext, Styles


def diff_counts(diff: str) -> tuple[int, int]:
    added = removed = 0
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def diff_view(diff: str, styles: Styles, limit: int = MAX_BODY_LINES) -> list[RenderableType]:
    """The diff with line numbers and tinted lines (`diff_view.DiffView`), capped at `limit` lines."""
    lines, hidden = capped_lines(diff, limit)
    rows: list[RenderableType] = [DiffView("\n".join(lines), DiffStyles.from_transcript(styles))]
    if hidden:
        rows.append(more_line(hidden, styles))
    return rows


def the_diff(part: ToolPart) -> str:
    diff = part.state.metadata.get("diff")
    return diff if isinstance(diff, str) else ""


class DiffPanel(ToolPanel):
    tools = ("edit", "multiedit", "write", "patch")
    expanded_by_default = True

    def title(self, part: ToolPart) -> str:
        path = text_input(part, "file_path", "path", "filePath")
        if path:
            return path
        files = part.state.metadata.get("files")
        if isinstance(files, list) and files:
            names = [str(f.get("path", f)) if isinstance(f, dict) else str(f) for f in files]
            return ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        return part.state.title or ""

    def summary(self, part: ToolPart) -> str:
        diff = the_diff(part)
        if not diff:
            return ""
        added, removed = diff_counts(diff)
        return f"+{added} -{removed}"

    def body(self, part: ToolPart, ctx: RenderContext) -> RenderableType | None:
        styles = ctx.styles
        diff = the_diff(part)
        if diff.strip():
            return Group(*diff_view(diff, styles))
        if part.tool == "write" and part.state.status != "error" and (content := text_input(part, "content")):
            # No diff (a new file, or the call has not run yet): a preview of what is written.
            lines, hidden = capped_lines(content, 12)
            path = text_input(part, "file_path", "path", "filePath")
            from rich.syntax import Syntax  # pygments: loaded with the first such panel drawn

            lexer = Syntax.guess_lexer(path, "\n".join(lines)) if path else "text"
            preview = Syntax(
                "\n".join(lines), lexer, theme=ctx.code_theme, word_wrap=True, background_color="default"
            )
            rows: list[RenderableType] = [preview]
            if hidden:
                rows.append(more_line(hidden, styles))
            return Group(*rows)
        return None
