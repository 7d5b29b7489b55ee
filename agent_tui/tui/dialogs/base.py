"""The base of every dialog: a modal screen whose `cancel` the app's Esc binding calls."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

from agent_tui.resources import style_path
from agent_tui.tui.errors import GuardedPump

T = TypeVar("T")


def dialog_css(name: str) -> list[str]:
    """The shared dialog look (`dialog.tcss`) plus the dialog's own file."""
    return [str(style_path("dialog.tcss")), str(style_path(name))]


class Dialog(GuardedPump, ModalScreen[T]):
    """Esc is handled by the app (it may first have to stop a running reply); it ends in `action_cancel`."""

    BINDINGS = [Binding("escape", "cancel", "Close", show=False)]

    def action_cancel(self) -> None:
        self.dismiss(None)
