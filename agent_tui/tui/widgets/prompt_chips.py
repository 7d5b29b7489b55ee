"""The prompt's text box with paste chips: a long paste becomes a chip, and a chip edits as one character.

What a chip is and which pastes it stands for: paste_attachments.py. Here are the keys: a long paste (terminal
paste or ctrl+v) inserts a chip at the cursor; Backspace just after a chip or Delete just before it removes it
whole; ← and → step over it; typing with the cursor inside a chip (after a click) types after it, so a chip is
never broken by accident. Chips are drawn in the `prompt-input--chip` style.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.widgets import TextArea
from textual.widgets.text_area import EditResult, Location

from agent_tui.tui.widgets.paste_attachments import PasteAttachments, Span, is_long

CHIP = "agent-tui-paste-chip"


class ChipTextArea(TextArea):
    COMPONENT_CLASSES: ClassVar[set[str]] = TextArea.COMPONENT_CLASSES | {"prompt-input--chip"}

    def __init__(self, pastes: PasteAttachments, **kwargs: object) -> None:
        self.pastes = pastes  # before TextArea's own set-up, which already builds the highlights
        super().__init__(**kwargs)  # type: ignore[arg-type]

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

    # Chips are drawn as a highlight, the way TextArea draws syntax: highlights are applied after the cursor
    # line's style, which would otherwise paint over a style given in `get_line` (Textual is pinned exactly,
    # and the snapshot tests show the chip, so a change of these internals cannot pass unseen).
    def _build_highlight_map(self) -> None:
        super()._build_highlight_map()
        if not self.pastes:
            return
        self._add_chip_style()
        for row in range(self.document.line_count):
            line = self.document.get_line(row)
            for span in self.pastes.spans(line):
                start = len(line[: span.start].encode())  # highlights count UTF-8 bytes
                self._highlights[row].append((start, start + len(span.attachment.token.encode()), CHIP))

    def _set_theme(self, theme: str) -> None:
        super()._set_theme(theme)
        self._add_chip_style()

    def _add_chip_style(self) -> None:
        if self._theme is None or not self.is_mounted:
            return
        style = self.get_component_rich_style("prompt-input--chip", partial=False)
        if self._theme.syntax_styles.get(CHIP) != style:
            # A dict of our own: the theme object shares its dict with the built-in theme it was copied from.
            self._theme.syntax_styles = {**self._theme.syntax_styles, CHIP: style}
            self._line_cache.clear()

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
