"""Which lines of the transcript a frame has to repaint, when the view did not scroll and no block list changed.

Repainting the whole view costs as much as rendering a paragraph; a streaming reply usually changes its last
line or two and adds lines at its end, so only those are sent to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget

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


def paint_now(widget: Widget) -> None:
    """Send what `widget` has marked for repainting to the terminal now, not at the screen's next update.

    Textual paints from a timer that resumes only once the screen's message queue is idle; by then the engine had
    usually run on (finishing a step costs it 9-20 ms), so the end of a reply reached the screen 14-39 ms after
    its last chunk arrived. Uses Textual's own update (pinned version), as its timer would.
    """
    screen = widget.screen if widget.is_attached else None
    if screen is None or not screen.is_current or widget.app._batch_count or screen is not widget.app.screen:
        return
    screen._dirty_widgets.add(widget)
    screen._on_timer_update()
