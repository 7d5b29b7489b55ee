"""The session sidebar: the project's sessions newest first, with a filter box that also searches message text.

It hears session events for every session (titles, cost, busy state, deletions) and re-renders at most once
per refresh however many arrive. Choosing an entry posts `Sidebar.Selected`; the main screen switches to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from agent_tui.core.events import Event, SessionBusy, SessionDeleted, SessionIdle, SessionUpdated
from agent_tui.core.models import Session
from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui import format as fmt
from agent_tui.tui.errors import GuardedPump
from agent_tui.tui.widgets.changed_files import ChangedFiles
from agent_tui.tui.widgets.session_details import SessionDetails

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService

LIST_LIMIT = 200
# Before the first frame only the sessions that fit on the screen are put in the list (Textual measures every
# option it holds: 30–70 ms for 200); the rest are added right after that frame is drawn.
MIN_FIRST_ROWS = 12


class SessionList(GuardedPump, OptionList):
    BINDINGS = [
        Binding("delete,d", "delete", "Delete", id="sidebar.delete"),
        Binding("r", "rename", "Rename", id="sidebar.rename"),
        Binding("slash", "filter", "Filter", id="sidebar.filter"),
    ]

    def action_filter(self) -> None:
        self.screen.query_one("#session-filter", Input).focus()

    class DeleteRequested(Message):
        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    class RenameRequested(Message):
        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    def _highlighted_id(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def action_delete(self) -> None:
        if (session_id := self._highlighted_id()) is not None:
            self.post_message(self.DeleteRequested(session_id))

    def action_rename(self) -> None:
        if (session_id := self._highlighted_id()) is not None:
            self.post_message(self.RenameRequested(session_id))


class Sidebar(GuardedPump, Vertical):
    class Selected(Message):
        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    def __init__(self, service: SessionService, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.service = service
        self.current_id: str | None = None
        self.busy: set[str] = set()
        self._sessions: list[Session] = []
        self._filter = ""
        self._rebuild_pending = False
        self._follow_current = True
        self._details = SessionDetails(service)
        self._held_back = True  # only the first rows are listed, until the first frame is drawn
        self._builds = 0  # counts rebuilds, so that rows held back are added only to the latest one

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter sessions…", id="session-filter")
        yield SessionList(id="session-list")
        yield ChangedFiles(id="changed-files")

    def on_mount(self) -> None:
        self.reload()

    # --- data ---------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again from storage (start, filter changes)."""
        if self._filter:
            self._sessions = self.service.search(self._filter)[:LIST_LIMIT]
        else:
            self._sessions = self.service.list(limit=LIST_LIMIT)
        self._schedule_rebuild()

    def apply(self, event: Event) -> None:
        match event:
            case SessionUpdated(session=session):
                if session.id == self.current_id:
                    self.query_one(ChangedFiles).show(session)
                if session.parent_id is not None:
                    return  # sub-agent sessions are not listed
                others = [s for s in self._sessions if s.id != session.id]
                known = len(others) != len(self._sessions)
                if known or not self._filter:
                    # Newest first: an update moves the session to the top.
                    self._sessions = sorted([session, *others], key=lambda s: s.time.updated, reverse=True)
            case SessionBusy(session_id=session_id):
                self.busy.add(session_id)
            case SessionIdle(session_id=session_id):
                self.busy.discard(session_id)
            case SessionDeleted(session_id=session_id):
                self._sessions = [s for s in self._sessions if s.id != session_id]
                self.busy.discard(session_id)
            case _:
                return
        self._schedule_rebuild()

    def set_current(self, session_id: str | None) -> None:
        self.current_id = session_id
        self._follow_current = True  # the list's cursor moves to the session now on screen
        self.query_one(ChangedFiles).show(self.service.get(session_id) if session_id else None)
        self._schedule_rebuild()

    @property
    def sessions(self) -> list[Session]:
        return list(self._sessions)

    # --- rendering ----------------------------------------------------------------------------------------

    def _schedule_rebuild(self) -> None:
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_later(self._rebuild)

    def _label(self, session: Session, now: int, preview: str | None) -> Content:
        current = session.id == self.current_id
        # The session on screen is marked whatever the list's cursor is on.
        bar = Content.styled("▍", "$accent") if current else Content("")
        marker = Content.styled("● ", "$accent") if session.id in self.busy else Content("")
        title = bar + marker + Content.styled(escape_controls(session.title), "bold $accent" if current else "")
        count = self._details.count(session)
        details = (f"{fmt.relative_time(session.time.updated, now)} · {count} message{'s' if count != 1 else ''}"
                   f" · {fmt.cost(session.cost)}")
        lines = [title, bar + Content.styled(details, "$text-muted")]
        if preview:
            room = max(8, self._line_width() - 3)  # one line: the bar and the quotes take three cells
            preview = preview if len(preview) <= room else preview[: room - 1].rstrip() + "…"
            lines.append(bar + Content.styled(f"“{preview}”", "italic $text-muted"))
        return Content("\n").join(lines)

    def _line_width(self) -> int:
        width = self.query_one(SessionList).scrollable_content_region.width
        return width - 2 if width > 0 else 28  # the option's own padding

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        options = self.query_one(SessionList)
        keep = None if self._follow_current else options._highlighted_id()
        self._follow_current = False
        now = fmt.now_ms()
        sessions = self._sessions
        previews = self._details.previews(sessions)
        ids = [s.id for s in sessions]
        target = keep if keep in ids else self.current_id
        shown = self._first_rows(ids.index(target) if target in ids else 0) if self._held_back else len(sessions)
        self._builds += 1
        options.set_options(Option(self._label(s, now, previews.get(s.id)), id=s.id) for s in sessions[:shown])
        if shown < len(sessions):
            self.call_after_refresh(self._add_rows, self._builds, sessions[shown:], now, previews)
        if target in ids:
            options.highlighted = ids.index(target)
        elif ids and self._filter:
            options.highlighted = 0  # the best match, for Enter in the filter

    def _first_rows(self, target: int) -> int:
        # Each entry is at least two lines: this many fill the screen, and the cursor's entry is among them.
        return max(MIN_FIRST_ROWS, self.app.size.height // 2 + 1, target + 1)

    def _add_rows(self, build: int, rest: list[Session], now: int, previews: dict[str, str]) -> None:
        self._held_back = False
        if build == self._builds:  # else a later rebuild holds them (in full, or adds them itself)
            self.query_one(SessionList).add_options(Option(self._label(s, now, previews.get(s.id)), id=s.id)
                                                    for s in rest)

    # --- input --------------------------------------------------------------------------------------------

    @on(Input.Changed, "#session-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#session-filter")
    def _filter_submitted(self) -> None:
        # Enter opens the selected match (the first one unless the cursor was moved), as a search box does.
        options = self.query_one(SessionList)
        if self._rebuild_pending:
            self._rebuild()
        chosen = options._highlighted_id()
        if chosen is None and options.option_count:
            chosen = options.get_option_at_index(0).id
        if chosen is not None:
            self.post_message(self.Selected(chosen))
        else:
            options.focus()

    def focus_filter(self) -> None:
        self.query_one("#session-filter", Input).focus()

    @on(OptionList.OptionSelected, "#session-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(event.option.id))
