"""A yes/no question (delete a session, quit while a reply runs). Enter or y confirms; Esc or n declines."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from agent_tui.tui.dialogs.base import Dialog, dialog_css


class ConfirmDialog(Dialog[bool]):
    CSS_PATH = dialog_css("dialog_confirm.tcss")
    AUTO_FOCUS = "#yes"
    BINDINGS = [Binding("y", "confirm", "Yes", show=False), Binding("n", "cancel", "No", show=False)]

    def __init__(self, title: str, body: str, *, confirm: str = "Yes", danger: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.body, id="confirm-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.confirm_label} (y)", id="yes", variant="error" if self.danger else "primary")
                yield Button("Cancel (n)", id="no")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)
