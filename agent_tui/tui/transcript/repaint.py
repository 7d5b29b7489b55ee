"""Which lines of the transcript a frame has to repaint, when the view did not scroll and no block list changed.

Repainting the whole view costs as much as rendering a paragraph; a streaming reply usually changes its last
line or two and adds lines at its end, so only those are sent to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from agent_tui.tui.transcript.block_layout import Layout
from agent_tui.tui.transcript.blocks import Block


def changed_lines(layout: Layout, dirty: Iterable[Block], heights_before: list[int], view_bottom: int
                  ) -> list[tuple[int, int]]:
    """(first content line, count) spans to repaint: the rows of re-rendered blocks that differ, and everything
    below the first block whose height changed, down to the bottom of the view."""
    heights = layout.heights
    moved: int | None = None
    if heights_before != heights:
        moved = next(i for i, (a, b) in enumerate(zip(heights_before, heights, strict=True)) if a != b)
    spans: list[tuple[int, int]] = []
    for block in dirty:
        index = layout.index.get(block)
        if index is None or (moved is not None and index > moved):
            continue
        rows = block.changed_rows()
        if rows is None:
            spans.append((layout.starts[index], heights[index]))
            continue
        top = layout.top(index)
        spans.extend((top + row, 1) for row in rows)
    if moved is not None:
        below = layout.starts[moved] + min(heights_before[moved], heights[moved])
        if view_bottom > below:
            spans.append((below, view_bottom - below))
    return spans
