"""Ask for one line of text (a session's new title). Enter accepts; Esc cancels; an empty answer is refused."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from agent_tui.tui.dialogs.base import Dialog, dialog_css


class TextInputDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_text_input.tcss")

    def __init__(self, title: str, *, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="text-input", select_on_focus=True)
            yield Static("enter to accept · esc to cancel", classes="dialog-hint")

    @on(Input.Submitted, "#text-input")
    def _accept(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.notify("Type something first, or press Esc to cancel.", severity="warning")
            return
        self.dismiss(value)
