"""The log's scrollbar, repainted only when what it shows changes.

Textual repaints a scrollbar on every change of the scroll range, and the log's range grows with each new line of
a streaming reply. The bar is a 1 × 36 column beside the log; Textual repaints the smallest rectangle covering
everything that changed in a frame, so a bar repaint next to one new line of text made the frame repaint the
whole log (4.8 ms against 1.5 ms here). Most of those repaints draw exactly the same cells: the thumb moves in
eighths of a cell, and with less than a screenful there is no thumb at all.
"""

from __future__ import annotations

from typing import Self

from rich.color import Color
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender

# ScrollBarRender's own fallbacks for a style without colours (see ScrollBarRender.__rich_console__).
_BACK = Color.parse("#555555")
_BAR = Color.parse("bright_magenta")


class SteadyScrollBar(ScrollBar):
    """A scrollbar that skips a repaint when the cells it would draw are the ones already drawn."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical=vertical, name=name, thickness=thickness)
        self._drawn: object = None  # the look last asked for; None: unknown, always repaint
        self.repaints = 0  # repaints let through, for tests and benchmarks

    def look(self) -> object:
        """What the bar draws now: its size and every segment with its style (None when it cannot tell)."""
        if self.parent is None or not self.is_mounted:
            return None
        renderable = self.render()
        if not isinstance(renderable, ScrollBarRender):
            return None
        width, height = self.size
        style = renderable.style
        if isinstance(style, str):
            return None
        bar = renderable.render_bar(
            size=height if self.vertical else width,
            virtual_size=renderable.virtual_size,
            window_size=renderable.window_size,
            position=renderable.position,
            thickness=width if self.vertical else height,
            vertical=self.vertical,
            back_color=style.bgcolor or _BACK,
            bar_color=style.color or _BAR,
        )
        return (self.size, tuple(bar.segments))

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if regions or layout or recompose or not repaint:
            self._drawn = None
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        look = self.look()
        if look is not None and look == self._drawn:
            return self
        self._drawn = look
        self.repaints += 1
        return super().refresh()


class SteadyScrollbars(ScrollView):
    """A scroll view whose vertical scrollbar is a SteadyScrollBar (the horizontal one is never shown here)."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # As Textual's own property (widget.py), with the class swapped: Textual has no hook for the class.
        if self._vertical_scrollbar is None:
            bar = SteadyScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar
