"""Streaming Markdown: finished blocks are rendered once, only the unfinished last block is rendered again.

A block is finished at a blank line outside a code fence that is followed by a line that does not continue it
(an indented line may belong to a list item). Rendering chunk by chunk can differ from rendering the whole text
(a loose list split in two, a link defined further down), so each chunk's shape is noted as it is rendered: when
the message finishes, the chunks are kept and only the rest is rendered if no two of them could have been one
block, otherwise the whole text is rendered again (`finished_lines`). Parsing the whole text instead cost more
than rendering the rest (~40 ms for 3,000 words), at the moment the last words should appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING

from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.transcript.render import RenderContext, markdown_strips, to_strips

if TYPE_CHECKING:
    from markdown_it.token import Token

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A paragraph of prose with nothing Markdown would format: no inline markup, entities, escapes or HTML, and no
# line that could start a list, quote, heading, table or setext underline.
_PLAIN_CHARS = re.compile(r"[^*_`\[\]<>#|~\\&=+]*")
_PLAIN_START = re.compile(r"[A-Za-z(\"'][^\n]*")
_ORDERED = re.compile(r"\d+[.)]")


def plain_paragraph(text: str) -> str | None:
    """The paragraph as Markdown would show it (lines joined by spaces) if it has no Markdown syntax, else None.
    Rendering it as plain text skips the parser, which is most of the cost of rendering the streaming tail."""
    if not _PLAIN_CHARS.fullmatch(text):
        return None
    lines = text.split("\n")
    if lines[0][:1].isspace():
        return None  # indented: a code block
    for line in lines:
        stripped = line.strip()
        if not stripped or not _PLAIN_START.fullmatch(stripped) or line.endswith("  ") or _ORDERED.match(stripped):
            return None
    return " ".join(line.strip() for line in lines)


# Top-level blocks whose rendering does not depend on what is around them: Rich puts no blank line after a rule,
# and raw HTML (which it drops) may run on over blank lines.
_SELF_CONTAINED = {"paragraph_open", "heading_open", "fence", "code_block", "bullet_list_open", "ordered_list_open",
                   "table_open", "blockquote_open"}
_LISTS = {"bullet_list_open", "ordered_list_open"}


@dataclass(frozen=True)
class ChunkShape:
    """What joining a rendered chunk to its neighbours needs to know about it."""

    self_contained: bool  # only blocks that look the same wherever they are, and no link definitions
    starts_with_list: bool
    ends_with_list: bool


def chunk_shape(tokens: list[Token], env: dict[str, object]) -> ChunkShape:
    top = [token.type for token in tokens if token.level == 0 and token.nesting >= 0]
    return ChunkShape(
        self_contained=not env.get("references") and all(kind in _SELF_CONTAINED for kind in top),
        starts_with_list=bool(top) and top[0] in _LISTS,
        ends_with_list=bool(top) and top[-1] in _LISTS,
    )


def joins_like_the_whole(shapes: list[ChunkShape]) -> bool:
    """True when chunks of these shapes, rendered one at a time with a blank line between, look exactly like
    their text rendered at once: a list followed by a list after a blank line is one loose list."""
    if not all(shape.self_contained for shape in shapes):
        return len(shapes) <= 1
    return not any(a.ends_with_list and b.starts_with_list for a, b in pairwise(shapes))


@cache
def code_background(theme: str) -> Style:
    from rich.syntax import Syntax  # pygments: loaded with the first code block, not at start-up

    return Syntax.get_theme(theme).get_background_style()


class BlockSplitter:
    """Scans growing text line by line and reports the end of its finished Markdown blocks."""

    def __init__(self) -> None:
        self.scanned = 0  # start of the first line not scanned yet (an incomplete line waits for its newline)
        self.boundary = 0  # text[:boundary] holds only finished blocks
        self._fence: str | None = None
        self.fence_start: int | None = None  # where the open code fence begins, while one is open
        self._blank_at: int | None = None

    def feed(self, text: str) -> int:
        while (newline := text.find("\n", self.scanned)) != -1:
            self._line(text[self.scanned : newline], self.scanned)
            self.scanned = newline + 1
        return self.boundary

    def _line(self, line: str, start: int) -> None:
        if self._fence is not None:
            stripped = line.strip()
            if stripped.startswith(self._fence) and set(stripped) == {self._fence[0]}:
                self._fence = None
                self.fence_start = None
            return
        if not line.strip():
            if self._blank_at is None:
                self._blank_at = start
            return
        if self._blank_at is not None:
            if not line[0].isspace():
                self.boundary = self._blank_at
            self._blank_at = None
        if match := _FENCE.match(line):
            self._fence = match.group(1)
            self.fence_start = start


class StreamingMarkdown:
    """The lines of a Markdown text that is still growing; finished blocks are cached per width."""

    def __init__(self) -> None:
        self._splitter = BlockSplitter()
        self._seen = ""
        self._done_end = 0  # text[:_done_end] is rendered into _done_lines
        self._done_lines: list[Strip] = []
        self._shapes: list[ChunkShape] = []  # of the chunks rendered into _done_lines, in order
        self._width = 0
        self.renders = 0  # Markdown renders performed (for tests and benchmarks)

    def _reset(self) -> None:
        self._splitter = BlockSplitter()
        self._done_end = 0
        self._done_lines = []
        self._shapes = []

    def _advance(self, text: str, ctx: RenderContext) -> None:
        """Render the blocks of `text` that finished since the last call (all of them again at a new width)."""
        if not text.startswith(self._seen[: self._splitter.scanned]):
            self._reset()  # the text was replaced, not extended
        self._seen = text
        if ctx.width != self._width:
            self._width = ctx.width
            self._shapes = []
            self._done_lines = self._render_chunk(text[: self._done_end], ctx)
        boundary = self._splitter.feed(text)
        if boundary > self._done_end:
            chunk = self._render_chunk(text[self._done_end : boundary], ctx)
            self._done_lines = self._joined(chunk, ctx)
            self._done_end = boundary

    def _joined(self, chunk: list[Strip], ctx: RenderContext) -> list[Strip]:
        """The finished lines and `chunk` with one blank line between, as Rich puts between two blocks. A list,
        quote or table already starts with that blank line (Rich writes it before any such block)."""
        if self._done_lines and chunk and chunk[0] != ctx.blank():
            return [*self._done_lines, ctx.blank(), *chunk]
        return [*self._done_lines, *chunk]

    def lines(self, text: str, ctx: RenderContext) -> list[Strip]:
        self._advance(text, ctx)
        return self._joined(self._tail(text, ctx), ctx)

    def finished_lines(self, text: str, ctx: RenderContext) -> list[Strip] | None:
        """The lines of the finished text: the chunks rendered while it streamed and the rest rendered once,
        when they look exactly like the whole text rendered at once; None when it must be rendered whole."""
        self._advance(text, ctx)
        rest = self._render_chunk(text[self._done_end :], ctx)
        if not joins_like_the_whole(self._shapes):
            return None
        return self._joined(rest, ctx)

    def _tail(self, text: str, ctx: RenderContext) -> list[Strip]:
        """The unfinished last block. An open code fence is shown without highlighting (highlighting a growing
        code block on every frame costs milliseconds); it is highlighted once, when it closes."""
        fence = self._splitter.fence_start
        if fence is None or fence < self._done_end:
            return self._render(text[self._done_end :], ctx, tail=True)
        lines = self._render(text[self._done_end : fence], ctx)
        code = text[fence:].split("\n", 1)[1] if "\n" in text[fence:] else ""
        block = to_strips(ctx, Padding(Text(code.rstrip("\n") or " "), (1, 1), style=code_background(ctx.code_theme)))
        return [*lines, ctx.blank(), *block] if lines else block

    def _render_chunk(self, text: str, ctx: RenderContext) -> list[Strip]:
        """A finished chunk: rendered as Markdown, its shape noted from the same parse."""
        text = escape_controls(text.strip("\n"))
        if not text.strip():
            return []
        self.renders += 1
        from agent_tui.tui.transcript.render_markdown import MARKDOWN_PARSER  # loaded with the first message

        env: dict[str, object] = {}
        tokens = MARKDOWN_PARSER.parse(text, env)
        self._shapes.append(chunk_shape(tokens, env))
        return markdown_strips(ctx, text, tokens)

    def _render(self, text: str, ctx: RenderContext, *, tail: bool = False) -> list[Strip]:
        text = escape_controls(text.strip("\n"))
        if not text.strip():
            return []
        self.renders += 1
        if tail and (plain := plain_paragraph(text)) is not None:
            style = ctx.console.get_style("markdown.paragraph", default="none")
            return to_strips(ctx, Text(plain, style=style, justify="left"))
        return markdown_strips(ctx, text)
