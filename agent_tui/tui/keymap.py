"""The app's key bindings and what each does (the help dialog, the README's key table and the config's
`keybinds` all use these ids)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

# Binding ids double as the names accepted in the config's `keybinds` (e.g. {"models": "ctrl+t"}).
KEYBINDS: dict[str, str] = {
    "abort": "Stop the running reply; close the open dialog",
    "quit": "Quit (asks first while a reply runs)",
    "command_palette": "Command palette",
    "sidebar": "Show or hide the session list",
    "new_session": "New session",
    "sessions": "Switch session",
    "models": "Choose the model",
    "details": "Expand or collapse every tool panel",
    "focus_sessions": "Move to the session list",
    "filter_sessions": "Filter the session list (Enter opens the selected match; / in the list too)",
    "themes": "Choose the theme",
    "help": "Help: every key and command",
    "editor": "Edit the prompt in $EDITOR",
    "history_search": "Search the prompts sent before",
    "search": "Search the conversation (enter/n older, shift+enter/N newer)",
    "select": "Select a message or code block: ↑↓ move, c copy, f fork, r revert to it, esc done",
    "undo": "Undo the last turn (files included)",
    "redo": "Redo the turn undone last",
    "revert": "Revert to an earlier message",
    "diff": "Show this session's changes to files",
}

APP_BINDINGS: list[BindingType] = [
    Binding("escape", "abort", "Stop", priority=True, show=False, id="abort"),
    Binding("ctrl+c", "quit_app", "Quit", priority=True, show=False, id="quit"),
    Binding("ctrl+p", "command_palette", "Commands", priority=True, show=False, id="command_palette"),
    Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="sidebar"),
    Binding("ctrl+n", "new_session", "New", id="new_session"),
    Binding("ctrl+s", "sessions", "Sessions", id="sessions"),
    Binding("f2,ctrl+l", "models", "Models", id="models"),
    Binding("ctrl+o", "toggle_details", "Details", id="details"),
    Binding("ctrl+g", "focus_sessions", "Session list", id="focus_sessions"),
    Binding("alt+f", "filter_sessions", "Filter sessions", id="filter_sessions"),
    Binding("ctrl+t", "themes", "Themes", id="themes"),
    Binding("f1", "help", "Help", id="help"),
    Binding("alt+e,f4", "edit_prompt", "Editor", id="editor"),
    Binding("ctrl+r", "search_history", "History", id="history_search"),
    Binding("ctrl+f", "search_transcript", "Search", id="search"),
    Binding("alt+up,f3", "select_messages", "Select", id="select"),
    Binding("alt+z", "undo", "Undo", id="undo"),
    Binding("alt+y", "redo", "Redo", id="redo"),
    Binding("alt+r", "revert", "Revert", id="revert"),
    Binding("alt+d", "show_diff", "Diff", id="diff"),
]
