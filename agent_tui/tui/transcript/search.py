"""Searching the transcript: every match is highlighted in the lines as shown, and n/N walk through them.

The log only renders what comes into view, so a search first looks for the words in each block's source text
(Markdown markup stripped) and renders just the blocks that may hold a match; matches are then found in the
rendered lines, so what is highlighted is exactly what is on screen (folded panels are searched as shown).
Matching is case-insensitive. The search starts at the match nearest the bottom, where the user usually is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from textual.strip import Strip

from agent_tui.tui.transcript.blocks import Block, ReasoningBlock, TextBlock, ToolBlock, UserBlock
from agent_tui.tui.transcript.overlay import overlay

if TYPE_CHECKING:
    from agent_tui.tui.transcript.widget import Transcript

_MARKUP = re.compile(r"[*_`#>\[\]~|]")


@dataclass(frozen=True)
class Match:
    block: Block
    line: int
    start: int  # cells
    end: int


def source_text(block: Block) -> str | None:
    """The text a block shows, roughly (None: unknown, render it to know)."""
    if isinstance(block, UserBlock):
        return block.text()
    if isinstance(block, TextBlock | ReasoningBlock):
        return block.part.text
    if isinstance(block, ToolBlock):
        return None
    return ""


def may_contain(block: Block, query: str) -> bool:
    text = source_text(block)
    if text is None:
        return True
    folded = " ".join(_MARKUP.sub("", text).split()).lower()
    return query in folded


def line_matches(block: Block, row: int, line: Strip, query: str) -> list[Match]:
    text = line.text
    lowered = text.lower()
    found: list[Match] = []
    start = lowered.find(query)
    while start != -1:
        cells = cell_len(text[:start])
        found.append(Match(block, row, cells, cells + cell_len(text[start : start + len(query)])))
        start = lowered.find(query, start + len(query))
    return found


class TranscriptSearch:
    """The search of one transcript. `set_query` finds the matches; `step` moves the current one."""

    def __init__(self, transcript: Transcript, *, on_change: Callable[[], None] | None = None) -> None:
        self.transcript = transcript
        self.on_change = on_change
        self.query = ""
        self.matches: list[Match] = []
        self.current = -1
        self._by_line: dict[tuple[int, int], list[int]] = {}
        self.active = False
        transcript.key_hooks.append(self.handle_key)
        transcript.line_decorators.append(self.decorate)
        transcript.rebuild_hooks.append(self.refresh_matches)

    def set_query(self, query: str) -> None:
        self.active = True
        self.query = " ".join(query.split()).lower() if query.strip() else ""
        self._find()
        self.current = len(self.matches) - 1 if self.matches else -1
        self._show_current()

    def refresh_matches(self) -> None:
        """The conversation changed (a reply streamed in): find the matches again, keeping the current line."""
        if not self.active or not self.query:
            return
        keep = self.matches[self.current] if 0 <= self.current < len(self.matches) else None
        self._find()
        if keep is not None:
            positions = [(m.block.key, m.line, m.start) for m in self.matches]
            target = (keep.block.key, keep.line, keep.start)
            self.current = positions.index(target) if target in positions else len(self.matches) - 1
        self.transcript.refresh()

    def _find(self) -> None:
        self.matches = []
        self._by_line = {}
        query = self.query
        if not query:
            self.transcript.refresh()
            return
        blocks = [block for block in self.transcript.blocks if may_contain(block, query)]
        self.transcript.render_blocks(blocks)  # cached blocks are not rendered again
        for block in blocks:
            for row, line in enumerate(block.cached() or []):
                for match in line_matches(block, row, line, query):
                    self._by_line.setdefault((id(block), row), []).append(len(self.matches))
                    self.matches.append(match)

    def step(self, direction: int) -> None:
        """-1: the next match up (older); +1: down (newer). Wraps around."""
        if not self.matches:
            return
        self.current = (self.current + direction) % len(self.matches)
        self._show_current()

    def _show_current(self) -> None:
        if 0 <= self.current < len(self.matches):
            match = self.matches[self.current]
            self.transcript.scroll_to_line(match.block, match.line, margin=3)
        self.transcript.refresh()
        if self.on_change is not None:
            self.on_change()

    def stop(self) -> None:
        self.active = False
        self.query = ""
        self.matches = []
        self._by_line = {}
        self.current = -1
        self.transcript.refresh()

    def summary(self) -> str:
        if not self.query:
            return ""
        if not self.matches:
            return "no match"
        return f"{self.current + 1} of {len(self.matches)}"

    def handle_key(self, key: str) -> bool:
        if not self.active or not self.matches:
            return False
        if key == "n":
            self.step(-1)
        elif key == "N":
            self.step(1)
        else:
            return False
        return True

    def decorate(self, block: Block, line: int, strip: Strip) -> Strip:
        indexes = self._by_line.get((id(block), line)) if self.active else None
        if not indexes:
            return strip
        for index in indexes:
            match = self.matches[index]
            if index == self.current:
                style = self.transcript.style_named("match-current")
            else:  # only the tint, so the text keeps its own colour
                style = Style(bgcolor=self.transcript.style_named("match").bgcolor)
            strip = overlay(strip, style, match.start, match.end)
        return strip
