"""Turning Rich renderables into cached lines (`Strip`s) at a given width, and the styles the blocks draw with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rich.console import Console, RenderableType
from rich.markdown import Markdown
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

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
)


@dataclass(frozen=True)
class Styles:
    """Rich styles resolved from the widget's component classes (or plain defaults in unit tests)."""

    by_name: dict[str, Style] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Style:
        return self.by_name.get(name, Style.null())


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
    return [Strip(line, width) for line in lines]


def markdown_strips(ctx: RenderContext, text: str) -> list[Strip]:
    if not text.strip():
        return []
    return to_strips(ctx, Markdown(text, code_theme=ctx.code_theme, hyperlinks=False))


def with_prefix(ctx: RenderContext, lines: list[Strip], prefix: str, style: Style) -> list[Strip]:
    """Put a fixed-width gutter before each line."""
    width = len(prefix)
    mark = Segment(prefix, ctx.base + style)
    return [Strip([mark, *line], line.cell_length + width) for line in lines]
