"""The session's changes as a coloured unified diff (`/diff`, or a file chosen in the changed-files list)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.diff_view import DiffStyles, DiffView

MAX_LINES = 5000  # a dialog is for reading; `agent-tui sessions diff` prints everything


class DiffDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_diff.tcss")
    AUTO_FOCUS = "#diff-body"
    BINDINGS = [Binding("q", "cancel", "Close", show=False)]

    def __init__(self, title: str, diff: str) -> None:
        super().__init__()
        self.title_text = title
        self.diff = diff

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            with VerticalScroll(id="diff-body"):
                if self.diff.strip():
                    lines = self.diff.splitlines()
                    shown = "\n".join(lines[:MAX_LINES])
                    more = f"\n… {len(lines) - MAX_LINES} more lines" if len(lines) > MAX_LINES else ""
                    yield Static(DiffView(shown + more, DiffStyles.from_theme(self.app.theme_variables)),
                                 id="diff-text")
                else:
                    yield Static("No file changes in this session.", id="diff-text")
            yield Static("↑↓ pgup pgdn scroll · esc close", classes="dialog-hint")
