"""Turning Rich renderables into cached lines (`Strip`s) at a given width, and the styles the blocks draw with.

Light on purpose (it is imported before the first frame): Markdown and syntax highlighting live in
`render_markdown`, imported on first use."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.theme import Theme
from textual.strip import Strip

from agent_tui.core.terminal_text import escape_controls, has_controls
from agent_tui.tui.transcript.markdown_theme import MARKDOWN_STYLES, markdown_theme

if TYPE_CHECKING:
    from markdown_it.token import Token

# Component classes of the Transcript widget; `styles/transcript.tcss` gives each a look from the theme.
STYLE_NAMES = (
    "user",
    "user-bar",
    "dim",
    "reasoning",
    "tool-name",
    "tool-title",
    "tool-pending",
    "tool-running",
    "tool-done",
    "tool-error",
    "gutter",
    "selected",
    "footer",
    "error",
    "error-action",
    "notice",
    "diff-add",
    "diff-remove",
    "diff-hunk",
    "diff-header",
    "diff-add-line",
    "diff-remove-line",
    "diff-number",
    "picked",
    "chip",
    *MARKDOWN_STYLES,
    "match",
    "match-current",
)


@dataclass(frozen=True)
class Styles:
    """Rich styles resolved from the widget's component classes (or plain defaults in unit tests)."""

    by_name: dict[str, Style] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Style:
        return self.by_name.get(name, Style.null())

    @cached_property
    def markdown(self) -> Theme:
        """The Rich theme Markdown is rendered with (headings, quotes, links from the app's theme)."""
        return markdown_theme(self.by_name)


@dataclass(frozen=True)
class RenderContext:
    """Everything a block needs to render itself into lines."""

    console: Console
    width: int
    styles: Styles
    code_theme: str = "monokai"
    now_ms: int = 0
    base: Style = field(default_factory=Style.null)  # the widget's colours, under everything drawn

    def narrower(self, by: int) -> RenderContext:
        return replace(self, width=max(1, self.width - by))

    def blank(self) -> Strip:
        return Strip.blank(self.width, self.base)


def to_strips(ctx: RenderContext, renderable: RenderableType, width: int | None = None) -> list[Strip]:
    """Render at `width` (default: the context's) into lines padded to exactly that width."""
    width = ctx.width if width is None else max(1, width)
    options = ctx.console.options.update(width=width, max_width=width, min_width=width, height=None)
    lines = ctx.console.render_lines(renderable, options, style=ctx.base, pad=True)
    return [_safe_strip(line, width, ctx.base) for line in lines]


def _safe_strip(line: list[Segment], width: int, base: Style) -> Strip:
    """A rendered line, with any control character that slipped past the inputs shown escaped, never raw.

    Inputs are escaped before layout (panels, Markdown); this is the last guard. An escape is wider than the
    zero-width code it replaces, so such a line is cut back to `width`."""
    if not any(has_controls(segment.text) for segment in line):
        return Strip(line, width)
    escaped = [Segment(escape_controls(s.text), s.style, s.control) for s in line]
    return Strip(escaped).crop_extend(0, width, base)


def markdown_strips(ctx: RenderContext, text: str, tokens: list[Token] | None = None) -> list[Strip]:
    """`text` rendered as Markdown; `tokens`: the text, with its controls escaped, already parsed.

    The Markdown stack (markdown-it, Rich's Markdown, pygments: ~35 ms of imports) loads with the first message
    drawn, not before the first frame: an empty session's first frame needs none of it."""
    if not text.strip():
        return []
    from agent_tui.tui.transcript import render_markdown

    return render_markdown.markdown_strips(ctx, text, tokens)


def with_prefix(ctx: RenderContext, lines: list[Strip], prefix: str, style: Style) -> list[Strip]:
    """Put a fixed-width gutter before each line."""
    width = len(prefix)
    mark = Segment(prefix, ctx.base + style)
    return [Strip([mark, *line], line.cell_length + width) for line in lines]
