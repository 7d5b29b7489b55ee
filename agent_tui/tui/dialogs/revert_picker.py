"""Choose the user message to revert to (`/revert`): the session's live turns, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.tui.dialogs.base import Dialog, dialog_css


@dataclass(frozen=True)
class RevertEntry:
    message_id: str
    text: str
    files: int  # how many files reverting to it would put back


class RevertPickerDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_revert.tcss")
    AUTO_FOCUS = "#revert-choices"

    def __init__(self, entries: list[RevertEntry]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Revert to a message", classes="dialog-title")
            yield Static("Undoes the chosen message and every turn after it, files included.", classes="dialog-hint")
            options = [Option(Content(self._label(e)), id=e.message_id) for e in self.entries]
            yield OptionList(*options, id="revert-choices")
            yield Static("↑↓ move · enter choose (asks first) · esc close", classes="dialog-hint")

    @staticmethod
    def _label(entry: RevertEntry) -> str:
        first = (entry.text.strip().splitlines() or ["(attachments)"])[0]
        files = f"  · {entry.files} file{'s' if entry.files != 1 else ''}" if entry.files else ""
        return f"{first[:70]}{files}"

    @on(OptionList.OptionSelected, "#revert-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
