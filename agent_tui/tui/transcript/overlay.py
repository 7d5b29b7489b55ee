"""Restyling part of a painted line: search matches and the selected message are drawn over what is cached."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


def overlay(strip: Strip, style: Style, start: int = 0, end: int | None = None) -> Strip:
    """`strip` with `style` laid over cells `start:end` (over the cells' own colours, unlike `apply_style`)."""
    length = strip.cell_length
    end = length if end is None else min(end, length)
    if start >= end:
        return strip
    pieces = strip.divide([start, end, length]) if start else [Strip([]), *strip.divide([end, length])]
    before, middle = pieces[0], pieces[1]
    after = pieces[2] if len(pieces) > 2 else Strip([])
    styled = Strip([Segment(text, (seg_style or Style.null()) + style, control)
                    for text, seg_style, control in middle], middle.cell_length)
    return Strip.join([before, styled, after])
