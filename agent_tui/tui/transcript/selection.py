"""Selecting a message or a code block of the transcript with the keyboard, to copy it or fork from it.

The items are the user's messages, each text of a reply, and every code block inside those texts, in reading
order. The selected item is drawn with a tinted background; its lines are found in the block's rendered lines
(a code block is located by its first line, so a wrapped long line still shows the right place).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from rich.style import Style
from textual.strip import Strip

from agent_tui.tui.transcript.blocks import Block, TextBlock, ToolBlock, UserBlock
from agent_tui.tui.transcript.overlay import overlay

if TYPE_CHECKING:
    from agent_tui.tui.transcript.widget import Transcript

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str


@dataclass(frozen=True)
class Selectable:
    block: Block
    kind: Literal["message", "code", "tool"]
    text: str  # what "copy" puts on the clipboard
    role: Role
    code_index: int = -1
    language: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return self.block.key, self.code_index

    def describe(self) -> str:
        if self.kind == "code":
            lines = self.text.count("\n") + 1
            return f"{self.language or 'code'} block ({lines} line{'s' if lines != 1 else ''})"
        if self.kind == "tool":
            return f"the {self.language} output"
        return "your message" if self.role == "user" else "the reply"


@lru_cache(maxsize=256)
def code_blocks(markdown: str) -> tuple[CodeBlock, ...]:
    """The fenced and indented code blocks of a Markdown text, in order."""
    from agent_tui.tui.transcript.render_markdown import MARKDOWN_PARSER  # not needed before the first frame

    found: list[CodeBlock] = []
    for token in MARKDOWN_PARSER.parse(markdown):
        if token.type in ("fence", "code_block"):
            found.append(CodeBlock(language=(token.info or "").split(" ")[0], code=token.content.rstrip("\n")))
    return tuple(found)


def selectables(blocks: list[Block]) -> list[Selectable]:
    items: list[Selectable] = []
    for block in blocks:
        if isinstance(block, UserBlock):
            if block.text():
                items.append(Selectable(block, "message", block.text(), "user"))
        elif isinstance(block, TextBlock) and block.part.text.strip():
            items.append(Selectable(block, "message", block.part.text.strip(), "assistant"))
            for index, code in enumerate(code_blocks(block.part.text)):
                items.append(Selectable(block, "code", code.code, "assistant", index, code.language))
        elif isinstance(block, ToolBlock) and (block.part.state.output or "").strip():
            # A tool's output (a `!command` the user ran, a test run): copy it as the model received it.
            role: Role = "user" if block.part.state.metadata.get("shell") else "assistant"
            items.append(Selectable(block, "tool", (block.part.state.output or "").strip(), role,
                                    language=block.part.tool))
    return items


def _background(line: Strip) -> object:
    for segment in line:
        if segment.text.strip() or segment.style is not None:
            return segment.style.bgcolor if segment.style else None
    return None


def item_lines(item: Selectable, lines: list[Strip]) -> tuple[int, int]:
    """The first and last row of `item` within its block's rendered `lines`. A code block is found by its first
    line, then spans the rows around it painted with the same (code) background."""
    if item.kind != "code" or not lines:
        return 0, max(0, len(lines) - 1)
    texts = [line.text.strip() for line in lines]
    row = 0
    for index, code in enumerate(code_blocks(item.block.part.text)):  # type: ignore[attr-defined]
        first = next((ln.strip() for ln in code.code.splitlines() if ln.strip()), "")
        probe = first[:20]
        found = next((r for r in range(row, len(texts)) if probe and texts[r].startswith(probe)), None)
        if found is None:
            break
        background = _background(lines[found])
        start = end = found
        while start > 0 and _background(lines[start - 1]) == background:
            start -= 1
        while end + 1 < len(lines) and _background(lines[end + 1]) == background:
            end += 1
        if index == item.code_index:
            return start, end
        row = end + 1
    return 0, len(lines) - 1


class MessageSelection:
    """The selection mode of a transcript: ↑↓/k j move, c/y/Enter copy, f fork, r revert to (a user message),
    Esc (via the app) leaves."""

    def __init__(self, transcript: Transcript, *, copy: Callable[[Selectable], None],
                 fork: Callable[[Selectable], None], revert: Callable[[Selectable], None] | None = None) -> None:
        self.transcript = transcript
        self.copy = copy
        self.fork = fork
        self.revert = revert
        self.active = False
        self.current: Selectable | None = None
        self._rows: tuple[Block, int, int] | None = None
        transcript.key_hooks.append(self.handle_key)
        transcript.line_decorators.append(self.decorate)
        transcript.rebuild_hooks.append(self._rebuilt)

    def _rebuilt(self) -> None:
        if self.current is not None and self.current.block not in self.transcript.blocks:
            self.stop()  # another session is on screen, or the message was removed

    def items(self) -> list[Selectable]:
        return selectables(self.transcript.blocks)

    def start(self) -> bool:
        """Enter the mode on the last item. False when there is nothing to select."""
        items = self.items()
        if not items:
            return False
        self.active = True
        self._select(items[-1])
        self.transcript.focus()
        return True

    def stop(self) -> None:
        if self.active:
            self.active = False
            self.current = None
            self._rows = None
            self.transcript.refresh()

    def move(self, step: int) -> None:
        items = self.items()
        if not items:
            self.stop()
            return
        keys = [item.key for item in items]
        position = keys.index(self.current.key) if self.current and self.current.key in keys else len(items)
        self._select(items[max(0, min(len(items) - 1, position + step))])

    def _select(self, item: Selectable) -> None:
        transcript = self.transcript
        self.current = item
        transcript.render_blocks([item.block])
        lines = item.block.cached() or []
        first, last = item_lines(item, lines)
        self._rows = (item.block, first, last)
        transcript.scroll_to_line(item.block, first)
        transcript.refresh()

    def handle_key(self, key: str) -> bool:
        if not self.active:
            return False
        if key in ("up", "k"):
            self.move(-1)
        elif key in ("down", "j"):
            self.move(1)
        elif key in ("c", "y", "enter"):
            if self.current is not None:
                self.copy(self.current)
        elif key == "f":
            if self.current is not None:
                self.fork(self.current)
        elif key == "r" and self.revert is not None:
            if self.current is not None and self.current.role == "user":
                self.revert(self.current)
        elif key in ("home", "end"):
            items = self.items()
            if items:
                self._select(items[0] if key == "home" else items[-1])
        else:
            return False
        return True

    def decorate(self, block: Block, line: int, strip: Strip) -> Strip:
        rows = self._rows
        if not self.active or rows is None or rows[0] is not block or not rows[1] <= line <= rows[2]:
            return strip
        # Only the tint: the text keeps its own colours (syntax highlighting stays readable).
        return overlay(strip, Style(bgcolor=self.transcript.style_named("picked").bgcolor))
