"""The rows of a code block that is still growing, drawn exactly as Rich's Markdown draws the whole block.

Highlighting the whole block again on every frame cost ~0.2 ms a line (11 ms for 60 lines), most of it Rich turning
each line into segments, not pygments. So the code is lexed again each frame (a line's tokens can depend on the
lines before it, e.g. an open string) but only the lines whose tokens changed are drawn again: Rich draws each line
of a word-wrapped `Syntax` on its own, so a line drawn alone is cell for cell that line drawn in the block.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pygments.lexer import Lexer
from pygments.token import Token, _TokenType
from rich.syntax import Syntax
from textual.strip import Strip

from agent_tui.tui.transcript.render import RenderContext, to_strips
from agent_tui.tui.transcript.render_markdown import lexer_named, syntax_theme

LineTokens = tuple[tuple[_TokenType, str], ...]


class _FixedTokens(Lexer):  # type: ignore[misc]
    """A lexer that returns tokens lexed elsewhere: one line of a block, lexed with the lines before it."""

    def __init__(self, tokens: LineTokens) -> None:
        super().__init__()
        self._tokens = tokens

    def get_tokens(self, text: str, unfiltered: bool = False) -> Iterator[tuple[Any, str]]:
        yield from self._tokens
        yield Token.Text, "\n"


def line_tokens(lexer: Lexer, code: str) -> list[LineTokens]:
    """The tokens of each line of `code` (as `Syntax` prepares it), split at newlines."""
    lines: list[list[tuple[_TokenType, str]]] = [[]]
    for kind, value in lexer.get_tokens(code):
        first, *rest = value.split("\n")
        if first:
            lines[-1].append((kind, first))
        for piece in rest:
            lines.append([(kind, piece)] if piece else [])
    if not lines[-1]:
        lines.pop()  # the newline that ends the code
    return [tuple(line) for line in lines]


class GrowingFence:
    """A code block's rows, kept per line between frames."""

    def __init__(self) -> None:
        self._context: tuple[object, ...] = ()
        self._lines: list[tuple[LineTokens, list[Strip]]] = []
        self._edges: tuple[Strip, Strip] | None = None
        self.lines_drawn = 0  # (for tests and benchmarks)

    def rows(self, ctx: RenderContext, content: str, info: str) -> list[Strip] | None:
        """The block's rows, as `CachedCodeBlock` renders a fence with this content; None for an empty block."""
        lexer_name = info.partition(" ")[0] or "text"  # as Rich's CodeBlock reads the info string
        code = content.rstrip()
        if not code:
            return None
        context = (ctx.console, ctx.width, ctx.styles, ctx.base, ctx.code_theme, lexer_name)
        if context != self._context:
            self._context, self._lines, self._edges = context, [], None
        lexer = lexer_named(lexer_name) or lexer_named("text")
        if lexer is None:
            return None
        lines = line_tokens(lexer, (code + "\n").expandtabs(4))  # what Syntax._process_code gives the lexer
        del self._lines[len(lines):]
        rows: list[Strip] = []
        for index, tokens in enumerate(lines):
            if index < len(self._lines) and self._lines[index][0] == tokens:
                rows.extend(self._lines[index][1])
                continue
            drawn = self._draw(ctx, tokens)
            if index < len(self._lines):
                self._lines[index] = (tokens, drawn)
            else:
                self._lines.append((tokens, drawn))
            rows.extend(drawn)
        assert self._edges is not None
        return [self._edges[0], *rows, self._edges[1]]

    def _draw(self, ctx: RenderContext, tokens: LineTokens) -> list[Strip]:
        """One line drawn as a one-line block, without the block's top and bottom padding rows."""
        self.lines_drawn += 1
        syntax = Syntax("".join(value for _, value in tokens), _FixedTokens(tokens),
                        theme=syntax_theme(ctx.code_theme), word_wrap=True, padding=1)
        with ctx.console.use_theme(ctx.styles.markdown):
            drawn = to_strips(ctx, syntax)
        self._edges = (drawn[0], drawn[-1])
        return drawn[1:-1]
