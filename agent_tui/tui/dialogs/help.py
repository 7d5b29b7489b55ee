"""Every key and every slash command, read from the live bindings so overrides from the config show."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Static

from agent_tui.tui.commands import COMMANDS, SlashCommand
from agent_tui.tui.dialogs.base import Dialog, dialog_css

_KEY_NAMES = {"pageup": "PageUp", "pagedown": "PageDown", "up": "↑", "down": "↓", "escape": "Esc", "enter": "Enter",
              "delete": "Delete", "space": "Space", "tab": "Tab", "home": "Home", "end": "End"}


def key_label(key: str) -> str:
    """`ctrl+l` → `Ctrl+L`, `f2` → `F2`, `alt+up` → `Alt+↑`: keys as the README and the palette write them."""
    words = key.split("+")
    return "+".join(_KEY_NAMES.get(w, w.upper() if len(w) == 1 or (w[0] == "f" and w[1:].isdigit()) else w.title())
                    for w in words)


# Keys handled inside widgets rather than by app bindings.
PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Send the message (queued while a reply runs)"),
    ("shift+enter, ctrl+j", "New line"),
    ("↑ / ↓", "Previous / next message from the history (on the first / last line)"),
    ("pageup, pagedown", "Scroll the message log"),
    ("/", "Complete a command"),
    ("!command", "Run a shell command in the project; the model sees its output with your next message"),
    ("@", "Attach a file (fuzzy search)"),
    ("tab", "Accept a completion; on an empty prompt, switch agent; else move the focus"),
    ("shift+tab", "Move to the message log"),
)
LOG_KEYS: tuple[tuple[str, str], ...] = (
    ("j, k", "Select the next / previous tool panel"),
    ("enter, space", "Expand or collapse the selected panel (or click its header)"),
    ("home, end", "Go to the start / the end (the end follows the reply again)"),
    ("n, N", "Next older / newer match while searching (ctrl+f)"),
)
SELECT_KEYS: tuple[tuple[str, str], ...] = (
    ("↑ / ↓, k / j", "Move across messages and code blocks"),
    ("c, y, enter", "Copy the selected message or code block"),
    ("f", "Fork the session from the selected message"),
    ("r", "Revert to the selected message of yours (undo it and every turn after it)"),
    ("esc", "Leave the selection"),
)
SIDEBAR_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Open the highlighted session"),
    ("r", "Rename the highlighted session"),
    ("d, delete", "Delete the highlighted session (asks first)"),
)


def _table(rows: list[tuple[str, str]], width: int) -> Grid:
    """Keys in a column of their own, so a long description wraps under its description, not under the keys."""
    table = Grid(*(Static(text, classes=kind, markup=False) for key, description in rows
                   for text, kind in ((key, "help-key"), (description, "help-text"))), classes="help-table")
    table.styles.grid_columns = f"{width + 2} 1fr"
    return table


class HelpDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_help.tcss")
    AUTO_FOCUS = "#help-body"

    def __init__(self, keys: list[tuple[str, str]], commands: tuple[SlashCommand, ...] = COMMANDS) -> None:
        """`keys`: (key, description) of the app's bindings as currently mapped; `commands`: built-in and
        custom slash commands."""
        super().__init__()
        self.keys = keys
        self.commands = commands

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in [*self.keys, *PROMPT_KEYS, *LOG_KEYS, *SELECT_KEYS, *SIDEBAR_KEYS]) + 2
        commands = [(c.usage, c.help) for c in self.commands]
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static("Keys", classes="help-heading")
                yield _table(self.keys, width)
                yield Static("In the prompt", classes="help-heading")
                yield _table(list(PROMPT_KEYS), width)
                yield Static("In the message log", classes="help-heading")
                yield _table(list(LOG_KEYS), width)
                yield Static("Selecting messages (alt+up)", classes="help-heading")
                yield _table(list(SELECT_KEYS), width)
                yield Static("In the session list", classes="help-heading")
                yield _table(list(SIDEBAR_KEYS), width)
                yield Static("Commands", classes="help-heading")
                yield _table(commands, max(width, max(len(c) for c, _ in commands) + 2))
                yield Static(
                    "Keys can be changed in agent-tui.json under \"keybinds\", e.g. "
                    "{\"keybinds\": {\"models\": \"f5\"}}. Custom commands are Markdown files in "
                    ".agent-tui/commands/NAME.md (project) or the config folder's commands/.",
                    classes="help-note",
                )
            yield Static("esc close", classes="dialog-hint")
