"""How Markdown looks in the transcript: headings, quotes, links, inline code and lists styled from the app's theme
(component classes `transcript--md-*` in `styles/transcript.tcss`), as a good Markdown reader shows them — Rich's
defaults draw headings and quotes magenta, which reads as an error here, and centre the top heading (the
left-aligned heading is in `render_markdown`, which loads with the first message)."""

from __future__ import annotations

from rich.style import Style
from rich.theme import Theme

# Component class (without the `transcript--` prefix) → the Rich Markdown style names it sets.
MARKDOWN_STYLES: dict[str, tuple[str, ...]] = {
    "md-h1": ("markdown.h1",),
    "md-h2": ("markdown.h2",),
    "md-h3": ("markdown.h3",),
    "md-h4": ("markdown.h4", "markdown.h5", "markdown.h6", "markdown.h7"),
    "md-quote": ("markdown.block_quote",),
    "md-link": ("markdown.link", "markdown.link_url"),
    "md-code": ("markdown.code",),
    "md-bullet": ("markdown.item.bullet", "markdown.item.number", "markdown.list"),
    "md-hr": ("markdown.hr", "markdown.table.border"),
    "md-table-header": ("markdown.table.header",),
}

# Used when a style is missing (unit tests render without a widget): plain but still structured.
FALLBACK: dict[str, Style] = {
    "md-h1": Style(bold=True, underline=True),
    "md-h2": Style(bold=True),
    "md-h3": Style(bold=True),
    "md-h4": Style(bold=True, dim=True),
    "md-quote": Style(italic=True, dim=True),
    "md-link": Style(underline=True),
    "md-code": Style(bold=True),
    "md-bullet": Style(bold=True),
    "md-hr": Style(dim=True),
    "md-table-header": Style(bold=True),
}


def markdown_theme(by_name: dict[str, Style]) -> Theme:
    styles: dict[str, Style] = {}
    for name, rich_names in MARKDOWN_STYLES.items():
        style = by_name.get(name) or FALLBACK[name]
        for rich_name in rich_names:
            styles[rich_name] = style
    styles["markdown.h1.border"] = by_name.get("md-hr") or FALLBACK["md-hr"]
    return Theme(styles, inherit=True)

