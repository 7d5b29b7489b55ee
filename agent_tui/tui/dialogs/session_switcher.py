"""Switch sessions: the project's sessions, fuzzy-searched by title as you type; Enter opens one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.core.models import Session
from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui import format as fmt
from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.fuzzy import fuzzy_filter


class SessionSwitcherDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_session_switcher.tcss")
    BINDINGS = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
    ]

    def __init__(self, sessions: list[Session], *, current: str | None, busy: set[str] | None = None) -> None:
        super().__init__()
        self.sessions = sessions
        self.current = current
        self.busy = busy or set()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Switch session", classes="dialog-title")
            yield Input(placeholder="Search sessions…", id="session-search")
            yield OptionList(id="session-choices")
            yield Static("↑↓ move · enter open · esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#session-search", Input).focus()

    def _label(self, session: Session, now: int) -> Content:
        current = session.id == self.current
        mark = Content.styled("● ", "$accent") if session.id in self.busy else Content("  ")
        title = Content.styled(escape_controls(session.title), "bold" if current else "")
        when = Content.styled(f"  {fmt.relative_time(session.time.updated, now)} · {fmt.cost(session.cost)}",
                              "$text-muted")
        return mark + title + when + (Content.styled("  (current)", "$text-muted") if current else Content(""))

    def _show(self, query: str) -> None:
        chosen = fuzzy_filter(query, self.sessions, key=lambda s: s.title, limit=None)
        now = fmt.now_ms()
        option_list = self.query_one("#session-choices", OptionList)
        option_list.set_options(Option(self._label(s, now), id=s.id) for s in chosen)
        if not chosen:
            option_list.add_option(Option("No session matches", disabled=True))
        else:
            # Start on the first session that is not the one on screen: ctrl+s, enter goes back to the previous one.
            others = [i for i, s in enumerate(chosen) if s.id != self.current]
            option_list.highlighted = others[0] if others and not query else 0

    @on(Input.Changed, "#session-search")
    def _search(self, event: Input.Changed) -> None:
        self._show(event.value.strip())

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#session-choices", OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    @on(Input.Submitted, "#session-search")
    def _submit(self) -> None:
        option_list = self.query_one("#session-choices", OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            if option.id:
                self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#session-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
