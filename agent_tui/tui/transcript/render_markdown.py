"""Markdown and syntax highlighting into lines: markdown-it, Rich's Markdown and pygments.

Imported on first use (the first message drawn), not at start-up: `tests/test_import_hygiene.py` checks that the
app's first frame loads none of them."""

from __future__ import annotations

import copy
import threading
from functools import cache
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Heading, Markdown
from rich.syntax import Syntax, SyntaxTheme
from textual.strip import Strip

from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.transcript.render import RenderContext, to_strips


class LeftHeading(Heading):
    """Headings aligned left, like the text around them (Rich centres the top level)."""

    LEVEL_ALIGN: ClassVar[dict[str, str]] = {}  # type: ignore[assignment]


_LEXERS: dict[str, Lexer | None] = {}
_LEXER_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()
# The first lexer of a language compiles its rules: ~100-200 ms of pure-Python regex compiling for Python, which
# stalled the frame that drew the first code block. Python's is compiled in a thread when Markdown is first drawn.
WARM_LEXERS = ("python",)


def lexer_named(name: str) -> Lexer | None:
    """A lexer by name, made once (pygments scans its registry, ~10 ms, and compiles the rules on first use);
    a caller asking for one being made in another thread waits for it instead of making it twice."""
    if name in _LEXERS:
        return _LEXERS[name]
    with _LOCKS_LOCK:
        lock = _LEXER_LOCKS.setdefault(name, threading.Lock())
    with lock:
        if name not in _LEXERS:
            try:
                _LEXERS[name] = get_lexer_by_name(name, stripnl=False, ensurenl=True, tabsize=4)
            except ClassNotFound:
                _LEXERS[name] = None
        return _LEXERS[name]


def warm_lexers(names: tuple[str, ...] = WARM_LEXERS) -> threading.Thread:
    """Make these lexers in a daemon thread (compiling yields the GIL often, so frames go on being drawn)."""
    thread = threading.Thread(target=lambda: [lexer_named(name) for name in names], name="agent-tui-lexers",
                              daemon=True)
    thread.start()
    return thread


@cache
def syntax_theme(name: str) -> SyntaxTheme:
    return Syntax.get_theme(name)


def highlighted(code: str, lexer: str, theme: str, **options: Any) -> Syntax:
    """A `Syntax` with its lexer and theme cached."""
    return Syntax(code, lexer_named(lexer) or lexer_named("text") or "text", theme=syntax_theme(theme), **options)


class CachedCodeBlock(CodeBlock):
    """Rich's Markdown code block, with the lexer and theme cached."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield highlighted(str(self.text).rstrip(), self.lexer_name, self.theme, word_wrap=True, padding=1)


MARKDOWN_PARSER = MarkdownIt().enable("strikethrough").enable("table")
# The same parser without inline parsing: block structure (and link definitions) only, which is cheap.
BLOCK_PARSER = MarkdownIt().enable("strikethrough").enable("table")
BLOCK_PARSER.core.ruler.disable(["inline", "text_join"])
_TEMPLATE = Markdown("", hyperlinks=False)
_TEMPLATE.elements = {**Markdown.elements, "fence": CachedCodeBlock, "code_block": CachedCodeBlock,
                      "heading_open": LeftHeading}


def markdown(text: str, code_theme: str, tokens: list[Token] | None = None) -> Markdown:
    """Rich's Markdown, sharing one parser: building a MarkdownIt costs ~0.4 ms, a third of rendering a short
    paragraph, and the streaming tail is rendered on every frame. Copying a template keeps whatever attributes
    Rich sets in its constructor. `tokens`: `text` already parsed."""
    md = copy.copy(_TEMPLATE)
    md.markup = text
    md.parsed = MARKDOWN_PARSER.parse(text) if tokens is None else tokens
    md.code_theme = code_theme
    md.inline_code_theme = code_theme
    return md


def markdown_strips(ctx: RenderContext, text: str, tokens: list[Token] | None = None) -> list[Strip]:
    """`text` rendered as Markdown; `tokens`: the text, with its controls escaped, already parsed."""
    if not text.strip():
        return []
    with ctx.console.use_theme(ctx.styles.markdown):
        return to_strips(ctx, markdown(escape_controls(text), ctx.code_theme, tokens))


warm_lexers()
