"""The selected tool panel or reasoning block of the transcript: j/k move it, Enter/Space/click toggle it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_tui.tui.transcript.blocks import Block

if TYPE_CHECKING:
    from agent_tui.tui.transcript.widget import Transcript


class PanelSelection:
    """Which collapsible block is selected; moving the selection scrolls it into view."""

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript
        self.selected: Block | None = None
        self._details: bool | None = None  # None: each panel's default; True/False: all expanded/collapsed

    def rebuilt(self) -> None:
        """The block list was rebuilt: a selected block that is gone is no longer selected, and new panels
        follow the last expand-all or collapse-all."""
        layout = self._transcript.block_layout
        if self.selected is not None and self.selected not in layout.index:
            self.selected = None
        if self._details is not None:
            for block in layout.blocks:
                if block.collapsible and block._expanded is None:
                    block.set_expanded(self._details)

    def toggle_all(self) -> None:
        """Expand every tool panel and reasoning block, or (when all are expanded) collapse them all."""
        collapsible = [block for block in self._transcript.block_layout.blocks if block.collapsible]
        self._details = not all(block.expanded for block in collapsible) if collapsible else not self._details
        for block in collapsible:
            block.set_expanded(self._details)
        self._transcript.mark_changed(collapsible)

    def toggle_block(self, block: Block) -> None:
        if block.collapsible:
            block.set_expanded(not block.expanded)
            self._transcript.mark_changed([block])

    def clicked(self, y: int) -> bool:
        """A click on content line `y`: a panel's header line selects and toggles it. True if it did."""
        found = self._transcript.block_layout.block_at(y)
        if found is None:
            return False
        block, line = found
        if not (block.collapsible and line == 0):
            return False
        self.select(block, scroll=False)
        self.toggle_block(block)
        return True

    def _collapsible(self) -> list[int]:
        return [index for index, block in enumerate(self._transcript.block_layout.blocks) if block.collapsible]

    def nearest(self, *, forward: bool) -> Block | None:
        """The first panel in view from the top (forward) or the last one from the bottom."""
        transcript = self._transcript
        layout = transcript.block_layout
        top = round(transcript.scroll_y)
        in_view = set(layout.overlapping(top, top + transcript.scrollable_content_region.height))
        collapsible = self._collapsible()
        candidates = [index for index in collapsible if index in in_view] or collapsible
        if not candidates:
            return None
        return layout.blocks[candidates[0] if forward else candidates[-1]]

    def move(self, *, forward: bool) -> None:
        indexes = self._collapsible()
        if not indexes:
            return
        layout = self._transcript.block_layout
        current = self.selected
        if current is None or current not in layout.index:
            target = self.nearest(forward=forward)
        else:
            position = indexes.index(layout.index[current])
            position = min(len(indexes) - 1, position + 1) if forward else max(0, position - 1)
            target = layout.blocks[indexes[position]]
        if target is not None:
            self.select(target)

    def select(self, block: Block, *, scroll: bool = True) -> None:
        transcript = self._transcript
        layout = transcript.block_layout
        self.selected = block
        index = layout.index.get(block)
        if scroll and index is not None and layout.laid_out:
            start = layout.top(index)
            top = round(transcript.scroll_y)
            if start < top or start >= top + transcript.scrollable_content_region.height:
                transcript.scroll_to(y=max(0, start - 2), animate=False)
        transcript.refresh()

    def toggle(self) -> None:
        """Expand or collapse the selected panel (selecting the last one in view when none is)."""
        block = self.selected if self.selected in self._transcript.block_layout.index else None
        if block is None:
            block = self.nearest(forward=False)
            if block is None:
                return
            self.select(block)
        self.toggle_block(block)
