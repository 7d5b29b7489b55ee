"""The conversation search bar (ctrl+f): a one-line input above the prompt with the match count.

Typing searches as you type; Enter or ↑ goes to the next match up (older), Shift+Enter or ↓ back down; Esc (the
app's key) closes it and clears the highlights. With the log focused, n and N do the same as Enter and Shift+Enter.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from agent_tui.tui.transcript.search import TranscriptSearch


class SearchBar(Horizontal):
    DEFAULT_CSS = """
    SearchBar {
        height: 1;
        padding: 0 1;
        background: $boost;
        & > #search-label { width: auto; color: $accent; text-style: bold; }
        & > #search-input { width: 1fr; border: none; height: 1; padding: 0 1; background: transparent; }
        & > #search-count { width: auto; color: $text-muted; }
    }
    """
    BINDINGS = [
        Binding("enter,up", "step(-1)", "Older match", show=False, priority=True),
        Binding("shift+enter,down", "step(1)", "Newer match", show=False, priority=True),
    ]

    class Closed(Message):
        pass

    def __init__(self, search: TranscriptSearch, *, query: str = "") -> None:
        super().__init__(id="search-bar")
        self.search = search
        self.initial = query

    def compose(self) -> ComposeResult:
        yield Static("Search", id="search-label")
        yield Input(self.initial, placeholder="words in the conversation…", id="search-input", compact=True)
        yield Static("", id="search-count")

    def on_mount(self) -> None:
        self.input.focus()
        if self.initial:
            self.search.set_query(self.initial)
        self.show_count()

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search.set_query(event.value)

    def action_step(self, direction: int) -> None:
        self.search.step(direction)

    def show_count(self) -> None:
        summary = self.search.summary()
        # A narrow terminal keeps the room for what is typed: the count alone.
        hint = "enter/↑ older · shift+enter/↓ newer · esc close" if self.app.size.width >= 100 else ""
        self.query_one("#search-count", Static).update(" · ".join(part for part in (summary, hint) if part))
