"""The session's changes as a coloured unified diff (`/diff`, or a file chosen in the changed-files list)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.panels.diff import diff_text
from agent_tui.tui.transcript.render import Styles

MAX_LINES = 5000  # a dialog is for reading; `agent-tui sessions diff` prints everything


def diff_styles(variables: dict[str, str]) -> Styles:
    """The diff panel's styles from the theme's colours (plain ones when a variable is not a colour)."""

    def colour(name: str, fallback: str, **extra: bool) -> Style:
        try:
            return Style(color=variables.get(name, fallback), **extra)
        except Exception:  # a CSS-only value such as "auto 60%"
            return Style(color=fallback, **extra)

    return Styles({
        "diff-add": colour("success", "green"), "diff-remove": colour("error", "red"),
        "diff-hunk": colour("secondary", "cyan"), "diff-header": colour("foreground", "default", bold=True),
        "dim": Style(dim=True),
    })


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
                    rows = diff_text(self.diff, diff_styles(self.app.get_css_variables()), limit=MAX_LINES)
                    yield Static(Text("\n").join(r for r in rows if isinstance(r, Text)), id="diff-text")
                else:
                    yield Static("No file changes in this session.", id="diff-text")
            yield Static("↑↓ pgup pgdn scroll · esc close", classes="dialog-hint")
