"""A paragraph that is still growing, drawn as Rich's Markdown draws it, wrapping again only its changed end.

Rich's Markdown turns a paragraph's inline tokens into one styled `Text` and wraps it greedily; most of the cost
of drawing a streaming paragraph was Rich walking the tokens (elements, style look-ups) and wrapping and drawing
every line again. Here the styled text is built from the tokens the way Rich builds it (`styled_paragraph`), and
compared with the last frame's: lines that end well before the first changed character are kept, and the text is
wrapped again from the start of the first line that may have changed. Greedy wrapping starting at a line start
gives the same lines as wrapping the whole text (Rich's `divide_line` keeps no state across the start of a line
that starts a word; a folded word's later pieces do not count), and
Rich draws each wrapped line on its own, so the result is cell for cell the whole render (tests check it frame by
frame against it). Anything this does not build exactly as Rich would (images, raw HTML, tabs) returns None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich._wrap import divide_line
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from agent_tui.tui.transcript.markdown_inline import GrowingInline
from agent_tui.tui.transcript.render import RenderContext, to_strips

if TYPE_CHECKING:
    pass

_STYLE_NAMES = ("paragraph", "em", "strong", "code", "s", "link", "link_url")


def _styles(ctx: RenderContext) -> dict[str, Style]:
    with ctx.console.use_theme(ctx.styles.markdown):
        return {name: ctx.console.get_style(f"markdown.{name}", default="none") for name in _STYLE_NAMES}


def _drawn_from(ctx: RenderContext, text: Text, start: int) -> list[Strip]:
    """The lines of `text` from `start` (a line start), as drawn within the whole text. Rich draws the unstyled
    parts of a text that has any span with a null style, and those of a text without spans with none: a part
    with no spans of its own is given the null style where the whole has spans."""
    if not start:
        return to_strips(ctx, text)
    rest = text[start:]
    lines = to_strips(ctx, rest)
    if not text.spans or rest.spans:
        return lines
    null = Style.null()
    return [Strip([Segment(s.text, null if s.style is None else s.style, s.control) for s in line], line.cell_length)
            for line in lines]


def _starts_a_word(plain: str, at: int) -> bool:
    """Whether a line starting at `at` starts a word (or a hard line): wrapping from there is wrapping afresh.
    A long word is folded with its trailing spaces, so a piece of it (even a lone space) is not such a start."""
    return plain[at - 1] == "\n" or (plain[at - 1].isspace() and not plain[at].isspace())


def _line_starts(plain: str, start: int, width: int) -> list[int]:
    """Where each wrapped line from `start` (a line start) begins, as Rich's Text.wrap divides (hard breaks
    first, then `divide_line` with folding)."""
    starts: list[int] = []
    at = start
    while True:
        end = plain.find("\n", at)
        line = plain[at:] if end == -1 else plain[at:end]
        starts.append(at)
        starts.extend(at + offset for offset in divide_line(line, width, fold=True))
        if end == -1:
            return starts
        at = end + 1


def _same_until(a: Text, b: Text) -> int:
    """How many leading characters `a` and `b` share, with the same style."""
    if bool(a.spans) != bool(b.spans):
        return 0  # a text with no spans at all draws its unstyled parts with no style rather than a null one
    limit = min(len(a.plain), len(b.plain))
    if a.plain[:limit] != b.plain[:limit]:
        low, high = 0, limit  # the first differing character, by halving (string slices compare in C)
        while low < high:
            middle = (low + high + 1) // 2
            if a.plain[:middle] == b.plain[:middle]:
                low = middle
            else:
                high = middle - 1
        limit = low
    for span_a, span_b in zip(a.spans, b.spans, strict=False):
        if span_a.start >= limit:
            break
        if span_a != span_b:
            return min(limit, span_a.start, span_b.start)
    return limit


class GrowingParagraph:
    """The wrapped lines of the last paragraph drawn, reused for the next frame where its text is unchanged."""

    def __init__(self) -> None:
        self._context: tuple[object, ...] = ()
        self._styles: dict[str, Style] = {}
        self._text = Text()
        self._starts: list[int] = []  # the plain offset where each of _lines begins
        self._lines: list[Strip] = []
        self._inline = GrowingInline()
        self.lines_drawn = 0  # (for tests and benchmarks)

    def _enter(self, ctx: RenderContext) -> None:
        context = (ctx.console, ctx.width, ctx.styles, ctx.base)
        if context != self._context:
            self._context, self._styles = context, _styles(ctx)
            self._text, self._starts, self._lines = Text(), [], []

    def from_content(self, ctx: RenderContext, content: str) -> list[Strip] | None:
        """A paragraph's lines from its inline content (as markdown-it's block parser gives it); None when Rich
        must draw it (images, raw HTML, tabs)."""
        self._enter(ctx)
        text = self._inline.text(content, self._styles)
        return None if text is None else self.lines(ctx, text)

    def lines(self, ctx: RenderContext, text: Text) -> list[Strip] | None:
        same = _same_until(text, self._text)
        # Line j is kept when line j + 1 ends before the first change too: whether the first word of line j + 1
        # fit on line j is decided by that word, which must not have changed either.
        keep = 0
        while keep + 2 < len(self._starts) and self._starts[keep + 2] <= same:
            keep += 1
        plain = text.plain
        while keep and not _starts_a_word(plain, self._starts[keep]):
            keep -= 1  # a piece of a folded word: wrapping from there would not fold it the same way
        start = self._starts[keep] if keep < len(self._starts) else 0
        fresh = _drawn_from(ctx, text, start)
        self.lines_drawn += len(fresh)
        self._text = text
        self._starts = [*self._starts[:keep], *_line_starts(text.plain, start, ctx.width)]
        self._lines = [*self._lines[:keep], *fresh]
        if len(self._starts) != len(self._lines):  # not wrapped as predicted: start afresh next frame
            self._text, self._starts, self._lines = Text(), [], []
            return None
        return self._lines
