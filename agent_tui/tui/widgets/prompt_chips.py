"""The prompt's text box with paste chips: a long paste becomes a chip, and a chip edits as one character.

What a chip is and which pastes it stands for: paste_attachments.py. Here are the keys: a long paste (terminal
paste or ctrl+v) inserts a chip at the cursor; Backspace just after a chip or Delete just before it removes it
whole; ← and → step over it; typing with the cursor inside a chip (after a click) types after it, so a chip is
never broken by accident. Chips are drawn in the `prompt-input--chip` style.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.widgets import TextArea
from textual.widgets.text_area import EditResult, Location

from agent_tui.tui.widgets.paste_attachments import PasteAttachments, Span, is_long


class ChipTextArea(TextArea):
    COMPONENT_CLASSES: ClassVar[set[str]] = TextArea.COMPONENT_CLASSES | {"prompt-input--chip"}

    pastes: PasteAttachments  # the composer's, set by the subclass

    def insert_paste(self, text: str) -> None:
        """Put a long paste in as a chip at the cursor (replacing the selection)."""
        attachment = self.pastes.add(text)
        if result := self._replace_via_keyboard(attachment.token, *self.selection):
            self.move_cursor(result.end_location)
        self.focus()

    async def _on_paste(self, event: events.Paste) -> None:
        if self.read_only or not is_long(event.text):
            return  # TextArea's own handler inserts it
        event.prevent_default()
        event.stop()
        self.insert_paste(event.text)

    def action_paste(self) -> None:
        clipboard = self.app.clipboard
        if not self.read_only and is_long(clipboard):
            self.insert_paste(clipboard)
            return
        super().action_paste()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if self.pastes:
            spans = self.pastes.spans(line.plain)
            if spans:
                style = self.get_component_rich_style("prompt-input--chip", partial=True)
                for span in spans:
                    line.stylize(style, span.start, span.end)
        return line

    def _chip(self, *, before: bool) -> tuple[int, Span] | None:
        """The chip touching the cursor: ending at or containing it (`before`), or starting at or containing it."""
        if not self.pastes or not self.selection.is_empty:
            return None
        row, column = self.cursor_location
        for span in self.pastes.spans(self.document.get_line(row)):
            if (span.start < column <= span.end) if before else (span.start <= column < span.end):
                return row, span
        return None

    def action_delete_left(self) -> None:
        if (found := self._chip(before=True)) is not None:
            row, span = found
            self._delete_via_keyboard((row, span.start), (row, span.end))
            return
        super().action_delete_left()

    def action_delete_right(self) -> None:
        if (found := self._chip(before=False)) is not None:
            row, span = found
            self._delete_via_keyboard((row, span.start), (row, span.end))
            return
        super().action_delete_right()

    def action_cursor_left(self, select: bool = False) -> None:
        if not select and (found := self._chip(before=True)) is not None:
            row, span = found
            self.move_cursor((row, span.start))
            return
        super().action_cursor_left(select)

    def action_cursor_right(self, select: bool = False) -> None:
        if not select and (found := self._chip(before=False)) is not None:
            row, span = found
            self.move_cursor((row, span.end))
            return
        super().action_cursor_right(select)

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        if start == end and self.pastes:
            row, column = start
            for span in self.pastes.spans(self.document.get_line(row)):
                if span.start < column < span.end:
                    start = end = (row, span.end)
                    break
        return super()._replace_via_keyboard(insert, start, end)
