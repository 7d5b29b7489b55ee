"""Where each block of the transcript sits: its gap, its height and its first line, for one width.

Pure bookkeeping, no Textual: the widget asks it which block is at a line and re-measures from the first block
that changed (while a reply streams that is the last one, so a long session does not make a frame slower).
"""

from __future__ import annotations

from bisect import bisect_right

from agent_tui.tui.transcript.blocks import Block, ToolBlock
from agent_tui.tui.transcript.render import RenderContext


def gap_between(previous: Block | None, block: Block) -> int:
    """Blank lines before `block`: none at the top or between consecutive tool calls, else one."""
    if previous is None:
        return 0
    if isinstance(previous, ToolBlock) and isinstance(block, ToolBlock):
        return 0
    return 1


class Layout:
    """The blocks in order and their measurements (real once rendered at the current width, else estimated)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.index: dict[Block, int] = {}
        self.gaps: list[int] = []
        self.heights: list[int] = []  # gap + lines
        self.starts: list[int] = []
        self.content_height = 0
        self.width = 0

    def set_blocks(self, blocks: list[Block]) -> None:
        """A new block list; its measurements are stale until `measure(0)` (see `laid_out`)."""
        self.blocks = blocks
        self.index = {block: index for index, block in enumerate(blocks)}

    @property
    def laid_out(self) -> bool:
        """True when the measurements describe the current block list (not so while the log is hidden)."""
        return len(self.starts) == len(self.blocks)

    def forget(self) -> None:
        self.gaps, self.heights, self.starts = [], [], []
        self.content_height = 0
        self.width = 0

    def measure(self, start: int = 0) -> bool:
        """Recompute gaps, heights and start lines from block `start` on. True if a height changed."""
        width = self.width
        blocks = self.blocks
        old_heights = self.heights[start:]
        del self.gaps[start:], self.heights[start:], self.starts[start:]
        previous: Block | None = None
        for index in range(start - 1, -1, -1):
            if self.heights[index] - self.gaps[index] > 0:
                previous = blocks[index]
                break
        line = self.starts[-1] + self.heights[-1] if start > 0 and self.starts else 0
        for index in range(start, len(blocks)):
            block = blocks[index]
            height = block.height(width)
            gap = gap_between(previous, block) if height else 0
            self.gaps.append(gap)
            self.heights.append(gap + height)
            self.starts.append(line)
            line += gap + height
            if height:
                previous = block
        self.content_height = line
        return old_heights != self.heights[start:]

    def render_around(self, context: RenderContext, top: int, view: int) -> tuple[int | None, int, int]:
        """Render the blocks not rendered yet from a view above the one at `top` to one below it. Returns the first
        block rendered (None: nothing was), how far that moved the line at `top`, and how many were rendered;
        the caller re-measures from that block."""
        width = context.width
        low, high = top - view, top + 2 * view
        shift = renders = 0
        first_rendered: int | None = None
        for index in range(self.first_at_or_above(low), len(self.blocks)):
            start = self.starts[index]
            if start >= high:
                break
            block = self.blocks[index]
            if block.is_rendered(width):
                continue
            before = self.heights[index] - self.gaps[index]
            # Keep what the user reads still: a block above the view moves it, and so does one across its top
            # whose height was a guess; a block that changed (a streaming reply) changed at its end.
            above = self.top(index) + before <= top if block.was_rendered(width) else start < top
            block.lines(context)
            renders += 1
            if first_rendered is None:
                first_rendered = index
            if above:
                shift += block.height(width) - before
        return first_rendered, shift, renders

    def end(self, index: int) -> int:
        return self.starts[index] + self.heights[index]

    def top(self, index: int) -> int:
        """The first line of block `index` itself, after its gap."""
        return self.starts[index] + self.gaps[index]

    def first_at_or_above(self, y: int) -> int:
        """The index of the block that holds line `y` (or the last one starting before it); 0 at the top."""
        return max(0, bisect_right(self.starts, y) - 1)

    def block_at(self, y: int) -> tuple[Block, int] | None:
        """The block at content line `y` and the line within it; None in a gap or past the end."""
        if not self.blocks or y < 0 or not self.laid_out:
            return None
        index = bisect_right(self.starts, y) - 1
        if index < 0 or y >= self.end(index):
            return None
        line = y - self.top(index)
        if line < 0:
            return None
        return self.blocks[index], line

    def overlapping(self, top: int, bottom: int) -> list[int]:
        """Indexes of the blocks with a line in [top, bottom)."""
        if not self.laid_out:
            return []
        out: list[int] = []
        for index in range(self.first_at_or_above(top), len(self.blocks)):
            if self.starts[index] >= bottom:
                break
            if self.end(index) > top:
                out.append(index)
        return out
