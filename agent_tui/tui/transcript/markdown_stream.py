"""Streaming Markdown: finished blocks are rendered once, only the unfinished last block is rendered again.

A block is finished at a blank line outside a code fence that is followed by a line that does not continue it
(an indented line may belong to a list item). Rendering chunk by chunk can differ slightly from rendering the
whole text (e.g. a loose list split in two), so a finished message is rendered once more, whole.
"""

from __future__ import annotations

import re
from functools import cache

from rich.padding import Padding
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.strip import Strip

from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.transcript.render import RenderContext, markdown_strips, to_strips

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


@cache
def code_background(theme: str) -> Style:
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
        self._width = 0
        self.renders = 0  # Markdown renders performed (for tests and benchmarks)

    def _reset(self) -> None:
        self._splitter = BlockSplitter()
        self._done_end = 0
        self._done_lines = []

    def lines(self, text: str, ctx: RenderContext) -> list[Strip]:
        if not text.startswith(self._seen[: self._splitter.scanned]):
            self._reset()  # the text was replaced, not extended
        self._seen = text
        if ctx.width != self._width:
            self._width = ctx.width
            done = text[: self._done_end]
            self._done_lines = self._render(done, ctx)
        boundary = self._splitter.feed(text)
        if boundary > self._done_end:
            chunk = self._render(text[self._done_end : boundary], ctx)
            if self._done_lines and chunk:
                self._done_lines.append(ctx.blank())
            self._done_lines.extend(chunk)
            self._done_end = boundary
        tail = self._tail(text, ctx)
        if self._done_lines and tail:
            return [*self._done_lines, ctx.blank(), *tail]
        return [*self._done_lines, *tail]

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

    def _render(self, text: str, ctx: RenderContext, *, tail: bool = False) -> list[Strip]:
        text = escape_controls(text.strip("\n"))
        if not text.strip():
            return []
        self.renders += 1
        if tail and (plain := plain_paragraph(text)) is not None:
            style = ctx.console.get_style("markdown.paragraph", default="none")
            return to_strips(ctx, Text(plain, style=style, justify="left"))
        return markdown_strips(ctx, text)
