"""Choose the colour theme among Textual's themes; moving the highlight previews it, Esc restores the old one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.tui.dialogs.base import Dialog, dialog_css


class ThemeDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_themes.tcss")

    def __init__(self, themes: list[str], *, current: str) -> None:
        super().__init__()
        self.themes = themes
        self.original = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Theme", classes="dialog-title")
            yield OptionList(*(Option(name, id=name) for name in self.themes), id="theme-list")
            yield Static("↑↓ preview · enter keep · esc restore", classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one("#theme-list", OptionList)
        if self.original in self.themes:
            option_list.highlighted = self.themes.index(self.original)
        option_list.focus()

    @on(OptionList.OptionHighlighted, "#theme-list")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.app.theme = event.option.id

    @on(OptionList.OptionSelected, "#theme-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.app.theme = self.original
        self.dismiss(None)
