"""Streaming Markdown: finished blocks are rendered once, only the unfinished last block is rendered again.

Every frame is cell for cell what rendering the whole text so far would give (tests compare them on fixed and
random texts, word by word). That holds because Rich renders each top-level block on its own and puts one blank
line between two blocks, except after a rule and before a list, quote or table (which bring their own). So:
- A block is finished at a blank line outside a code fence once the next line starts unindented (an indented one
  may continue a list item). Chunks of finished blocks are rendered once and joined by the rule above.
- A list after a list across a blank line is one (loose) list: the two chunks are rendered as one.
- A link reference definition changes how earlier text renders, and raw HTML blocks may run on over blank lines:
  with either, the whole text is rendered each frame (rare in replies).
- The unfinished tail is rendered again each frame: a paragraph with no Markdown syntax without the parser, and a
  code block at its end highlighted line by line (`markdown_fence`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.strip import Strip

from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.transcript.markdown_paragraph import GrowingParagraph
from agent_tui.tui.transcript.render import RenderContext, markdown_strips

if TYPE_CHECKING:
    from markdown_it.token import Token

    from agent_tui.tui.transcript.markdown_fence import GrowingFence

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_LISTS = {"bullet_list_open", "ordered_list_open"}
_KNOWN = {*_LISTS, "blockquote_open", "table_open", "paragraph_open", "heading_open", "fence", "code_block", "hr"}
# How Rich's Markdown walks tokens (`Markdown.__rich_console__`): these never make an element, the rest do; an
# element is drawn when it closes unless its parent collects it (these parents do); and each element closed sets
# `new_line`, which decides whether the next element drawn gets a blank line first.
_NOT_ELEMENTS = {"text", "hardbreak", "softbreak", "html_inline"}
_LINKS = {"link_open", "link_close"}
_INLINE_STYLES = {"em", "strong", "code", "s"}
_COLLECTORS = {*_LISTS, "list_item_open", "blockquote_open", "table_open", "thead_open", "tbody_open", "tr_open"}
_NO_NEW_LINE = {"hr", "image"}  # HorizontalRule and ImageItem set new_line False


@dataclass(frozen=True)
class ChunkShape:
    """What joining rendered blocks to their neighbours needs to know about them."""

    starts_with_list: bool = False
    ends_with_list: bool = False
    lead: bool | None = None  # Rich's new_line when the first block is drawn; None: whatever the one before left
    end: bool = True  # Rich's new_line after the last block
    whole_only: bool = False  # link definitions or raw HTML: only the whole text renders right


PLAIN = ChunkShape()


def _walk(tokens: list[Token]) -> Iterator[Token]:
    """Tokens in the order Rich's Markdown reads them: inline tokens' children flattened."""
    for token in tokens:
        if token.children and token.type != "fence" and token.tag != "img":
            yield from _walk(token.children)
        else:
            yield token


def _first_draw(tokens: list[Token]) -> tuple[bool | None, bool]:
    """Rich's `new_line` when it draws its first element (None: what the blocks before left; a bare inline token
    is drawn without one) and after the last element."""
    stack: list[str] = []
    new_line: bool | None = None
    lead: bool | None = None
    drawn = False
    for token in _walk(tokens):
        kind = token.type
        if kind in _NOT_ELEMENTS or (token.tag in _INLINE_STYLES and kind not in ("fence", "code_block")):
            continue
        if kind in _LINKS:  # a link is a parent (of an image, say) but sets nothing itself
            if token.nesting == 1:
                stack.append(kind)
            elif stack:
                stack.pop()
            continue
        if token.nesting == 1:
            stack.append(kind)
            continue
        if token.nesting == -1 and stack:
            stack.pop()
        if not drawn and (not stack or stack[-1] not in _COLLECTORS):
            lead, drawn = (new_line if token.nesting == -1 or kind != "inline" else False), True
        new_line = kind not in _NO_NEW_LINE
    return lead, bool(new_line)


def chunk_shape(tokens: list[Token], env: dict[str, object]) -> ChunkShape:
    top = [token.type for token in tokens if token.level == 0 and token.nesting >= 0]
    if env.get("references"):
        return ChunkShape(whole_only=True)
    if not top:
        return PLAIN
    lead, end = _first_draw(tokens)
    return ChunkShape(
        starts_with_list=top[0] in _LISTS,
        ends_with_list=top[-1] in _LISTS,
        lead=lead,
        end=end,
        whole_only=not all(kind in _KNOWN for kind in top),
    )


def needs_blank(before: ChunkShape, after: ChunkShape) -> bool:
    """Whether Rich puts a blank line between these blocks: when the second draws whatever the first left."""
    return after.lead is None and before.end


class BlockSplitter:
    """Scans growing text line by line and reports the end of its finished Markdown blocks."""

    def __init__(self) -> None:
        self.scanned = 0  # start of the first line not scanned yet (an incomplete line waits for its newline)
        self.boundary = 0  # text[:boundary] holds only finished blocks
        self._fence: tuple[str, int] | None = None  # the open code fence's marker and length
        self._blank_at: int | None = None

    def feed(self, text: str) -> int:
        while (newline := text.find("\n", self.scanned)) != -1:
            self._line(text[self.scanned : newline], self.scanned)
            self.scanned = newline + 1
        # A blank line ends the block as soon as the next line's first character shows it is not indented.
        if self._blank_at is not None and self.scanned < len(text) and not text[self.scanned].isspace():
            self.boundary = self._blank_at
        return self.boundary

    def _line(self, line: str, start: int) -> None:
        if self._fence is not None:
            marker, length = self._fence
            indent = len(line) - len(line.lstrip(" "))
            stripped = line.strip()
            if indent < 4 and len(stripped) >= length and set(stripped) == {marker}:
                self._fence = None
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
            run = match.group(2)
            if run[0] != "`" or "`" not in line[match.end() :]:  # a backtick fence's info has no backtick
                self._fence = (run[0], len(run))


@dataclass
class Chunk:
    """Finished blocks text[start:end], rendered."""

    start: int
    end: int
    lines: list[Strip]
    shape: ChunkShape


class StreamingMarkdown:
    """The lines of a Markdown text that is still growing; finished blocks are kept, rendered, per context."""

    def __init__(self) -> None:
        self._splitter = BlockSplitter()
        self._seen = ""
        self._chunks: list[Chunk] = []
        self._done_lines: list[Strip] = []  # the chunks joined
        self._context: tuple[object, ...] = ()
        self._whole = False  # link definitions or HTML blocks: render the whole text
        self._fence: GrowingFence | None = None
        self._paragraph = GrowingParagraph()
        self._last_tail: tuple[tuple[object, ...], list[Strip]] = ((), [])
        self.renders = 0  # Markdown renders performed (for tests and benchmarks)

    @property
    def _done_end(self) -> int:
        return self._chunks[-1].end if self._chunks else 0

    def _advance(self, text: str, ctx: RenderContext) -> None:
        """Render the blocks of `text` that finished since the last call (all of them again in a new context)."""
        scanned = self._splitter.scanned
        if not text.startswith(self._seen) and (len(text) < scanned or text[:scanned] != self._seen[:scanned]):
            self._splitter, self._chunks, self._whole = BlockSplitter(), [], False  # replaced, not extended
            self._done_lines = []
        self._seen = text
        context = (ctx.console, ctx.width, ctx.styles, ctx.base, ctx.code_theme)
        if context != self._context:
            self._context, self._last_tail = context, ((), [])
            for chunk in self._chunks:
                chunk.lines = self._render_chunk(text[chunk.start : chunk.end], ctx)[0]
            self._done_lines = self._join_chunks(self._chunks, ctx)
        boundary = self._splitter.feed(text)
        if boundary > self._done_end:
            self._add_chunk(text, self._done_end, boundary, ctx)
            self._done_lines = self._join_chunks(self._chunks, ctx)

    @staticmethod
    def _join_chunks(chunks: list[Chunk], ctx: RenderContext) -> list[Strip]:
        out: list[Strip] = []
        for before, chunk in zip([None, *chunks], chunks, strict=False):
            if before is not None and needs_blank(before.shape, chunk.shape):
                out.append(ctx.blank())
            out.extend(chunk.lines)
        return out

    def _add_chunk(self, text: str, start: int, end: int, ctx: RenderContext) -> None:
        lines, shape = self._render_chunk(text[start:end], ctx)
        if shape.whole_only:
            self._whole = True
        last = self._chunks[-1] if self._chunks else None
        if last is not None and last.shape.ends_with_list and shape.starts_with_list:
            self._chunks.pop()  # one loose list: render it as one
            self._add_chunk(text, last.start, end, ctx)
            return
        self._chunks.append(Chunk(start, end, lines, shape))

    def _joined(self, lines: list[Strip], shape: ChunkShape, ctx: RenderContext) -> list[Strip]:
        """The finished lines, then `lines` (blocks of this shape) with Rich's blank line between if it puts one."""
        if not self._chunks:
            return lines
        if needs_blank(self._chunks[-1].shape, shape):
            return [*self._done_lines, ctx.blank(), *lines]
        return [*self._done_lines, *lines]

    def lines(self, text: str, ctx: RenderContext) -> list[Strip]:
        self._advance(text, ctx)
        if self._whole:
            return markdown_strips(ctx, text)
        tail = self._tail(text, ctx)
        if tail is None:
            return markdown_strips(ctx, text)
        return tail

    def finished_lines(self, text: str, ctx: RenderContext) -> list[Strip] | None:
        """The lines of the finished text, from the chunks rendered while it streamed; None when the text must be
        rendered whole (link definitions, HTML blocks)."""
        lines = self.lines(text, ctx)
        return None if self._whole else lines

    def _tail(self, text: str, ctx: RenderContext) -> list[Strip] | None:
        """The finished chunks and the unfinished rest after them; None: render the whole text."""
        source = escape_controls(text[self._done_end :].strip("\n"))
        if not source.strip():
            return self._done_lines
        key = (self._done_end, source, len(self._chunks))
        if key == self._last_tail[0]:
            return self._last_tail[1]  # only blank lines or spaces were added: nothing visible changed
        self.renders += 1
        lines = self._tail_of(text, source, ctx)
        if lines is not None:
            self._last_tail = (key, lines)
        return lines

    def _tail_of(self, text: str, source: str, ctx: RenderContext) -> list[Strip] | None:
        lines, shape = self._render_source(ctx, source)
        if shape.whole_only:
            self._whole = True
            return None
        last = self._chunks[-1] if self._chunks else None
        if last is not None and last.shape.ends_with_list and shape.starts_with_list:
            # The loose list so far, rendered as one, in place of its finished part.
            lines, merged = self._render_chunk(text[last.start :], ctx)
            return self._join_chunks([*self._chunks[:-1], Chunk(last.start, len(text), lines, merged)], ctx)
        return self._joined(lines, shape, ctx)

    def _render_chunk(self, text: str, ctx: RenderContext) -> tuple[list[Strip], ChunkShape]:
        """Finished blocks: rendered as Markdown, with their shape."""
        text = escape_controls(text.strip("\n"))
        if not text.strip():
            return [], PLAIN
        self.renders += 1
        return self._render_source(ctx, text)

    def _render_source(self, ctx: RenderContext, source: str) -> tuple[list[Strip], ChunkShape]:
        """Markdown blocks rendered, with their shape. A lone paragraph (most of a reply, found by the block
        parser alone) is parsed and wrapped again only where it changed; a code block at the end is drawn line
        by line; the rest is Rich's Markdown."""
        from agent_tui.tui.transcript.render_markdown import BLOCK_PARSER, MARKDOWN_PARSER  # with the first message

        env: dict[str, object] = {}
        blocks = BLOCK_PARSER.parse(source, env)
        if env.get("references"):
            return [], ChunkShape(whole_only=True)
        if len(blocks) == 3 and blocks[0].type == "paragraph_open" and (
                lines := self._paragraph.from_content(ctx, blocks[1].content)) is not None:
            return lines, PLAIN  # drawn with nothing before its close: no image, no bare inline token
        tokens = MARKDOWN_PARSER.parse(source, env)
        return self._render_tokens(ctx, source, tokens), chunk_shape(tokens, env)

    def _render_tokens(self, ctx: RenderContext, source: str, tokens: list[Token]) -> list[Strip]:
        """`source` rendered from its tokens, a code block at the end drawn line by line."""
        top = [index for index, token in enumerate(tokens) if token.level == 0]
        if not top or tokens[top[-1]].type != "fence":
            return markdown_strips(ctx, source, tokens)
        fence = tokens[top[-1]]
        if self._fence is None:
            from agent_tui.tui.transcript.markdown_fence import GrowingFence

            self._fence = GrowingFence()
        rows = self._fence.rows(ctx, fence.content, fence.info)
        if rows is None:
            return markdown_strips(ctx, source, tokens)
        before = tokens[: top[-1]]
        if not before:
            return rows
        lines = markdown_strips(ctx, source, before)
        return [*lines, ctx.blank(), *rows] if chunk_shape(before, {}).end else [*lines, *rows]
