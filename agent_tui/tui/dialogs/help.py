"""Every key and every slash command, read from the live bindings so overrides from the config show."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agent_tui.tui.commands import COMMANDS
from agent_tui.tui.dialogs.base import Dialog, dialog_css

# Keys handled inside widgets rather than by app bindings.
PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Send the message (queued while a reply runs)"),
    ("shift+enter, ctrl+j", "New line"),
    ("↑ / ↓", "Previous / next message from the history (on the first / last line)"),
    ("/", "Complete a command"),
    ("@", "Attach a file (fuzzy search)"),
    ("tab", "Accept a completion, or move the focus"),
)
SIDEBAR_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Open the highlighted session"),
    ("r", "Rename the highlighted session"),
    ("d, delete", "Delete the highlighted session (asks first)"),
)


def _table(rows: list[tuple[str, str]], width: int) -> Content:
    return Content("\n").join(
        Content.styled(f"  {key:<{width}}", "bold $accent") + Content(description) for key, description in rows
    )


class HelpDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_help.tcss")
    AUTO_FOCUS = "#help-body"

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        """`keys`: (key, description) of the app's bindings as currently mapped."""
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in [*self.keys, *PROMPT_KEYS, *SIDEBAR_KEYS]) + 2
        commands = [(c.usage, c.help) for c in COMMANDS]
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static("Keys", classes="help-heading")
                yield Static(_table(self.keys, width))
                yield Static("In the prompt", classes="help-heading")
                yield Static(_table(list(PROMPT_KEYS), width))
                yield Static("In the session list", classes="help-heading")
                yield Static(_table(list(SIDEBAR_KEYS), width))
                yield Static("Commands", classes="help-heading")
                yield Static(_table(commands, max(width, max(len(c) for c, _ in commands) + 2)))
                yield Static(
                    "Keys can be changed in agent-tui.json under \"keybinds\", e.g. "
                    "{\"keybinds\": {\"models\": \"ctrl+t\"}}.",
                    classes="help-note",
                )
            yield Static("esc close", classes="dialog-hint")
