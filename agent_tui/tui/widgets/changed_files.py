"""Under the session list: the files the session on screen changed, with +/- counts, kept live from the
session record (`Session.changes`, refreshed by the engine after each file-changing step and each undo).
Choosing a file posts `ChangedFiles.Selected`; the app shows that file's diff for the whole session."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.core.models import FileChange, Session

MAX_LISTED = 200


def counts(change: FileChange) -> Content:
    if change.binary:
        return Content.styled("binary", "$text-muted")
    return Content.assemble((f"+{change.additions}", "$success"), " ", (f"-{change.deletions}", "$error"))


class ChangedFiles(Vertical):
    class Selected(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.changes: list[FileChange] = []
        self.session_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="changed-files-title")
        yield OptionList(id="changed-files-list")

    def on_mount(self) -> None:
        self._show_changes()

    def show(self, session: Session | None) -> None:
        """The session now on screen, or an update of it (SessionUpdated)."""
        self.session_id = session.id if session else None
        changes = list(session.changes) if session else []
        if changes != self.changes or not self.is_mounted:
            self.changes = changes
            if self.is_mounted:
                self._show_changes()

    def _show_changes(self) -> None:
        self.display = bool(self.changes)
        if not self.changes:
            return
        added = sum(c.additions for c in self.changes)
        removed = sum(c.deletions for c in self.changes)
        count = len(self.changes)
        self.query_one("#changed-files-title", Static).update(Content.assemble(
            (f"Changed files ({count})", "bold"), "  ", (f"+{added}", "$success"), " ", (f"-{removed}", "$error"),
        ))
        options = self.query_one("#changed-files-list", OptionList)
        keep = options.highlighted
        options.set_options(Option(self._label(c), id=c.path) for c in self.changes[:MAX_LISTED])
        if keep is not None and self.changes:
            options.highlighted = min(keep, len(self.changes) - 1)

    @staticmethod
    def _label(change: FileChange) -> Content:
        mark = {"added": "A ", "deleted": "D "}.get(change.status, "M ")
        return Content.assemble((mark, "$text-muted"), change.path, "  ", counts(change))

    @on(OptionList.OptionSelected, "#changed-files-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(event.option.id))
