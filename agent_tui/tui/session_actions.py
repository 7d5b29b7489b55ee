"""The app's session actions: new, switch, rename, delete, export and copy.

A mixin of `AgentApp`, so Textual finds `action_*` and `on_session_list_*` on the app as usual; kept apart from
app.py so that what changes which session is on screen lives in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agent_tui.core.models import AssistantMessage
from agent_tui.core.private_files import write_private_text
from agent_tui.core.session.export import to_markdown
from agent_tui.core.storage import StorageError
from agent_tui.tui.widgets.sidebar import SessionList

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object


class SessionActions(_Base):
    def action_new_session(self) -> None:
        self.main.show_session(None)
        self.main.composer.input.focus()

    def action_filter_sessions(self) -> None:
        main = self.main
        if not main.sidebar.display:
            main.toggle_sidebar()
        main.sidebar.focus_filter()

    def action_sessions(self) -> None:
        from agent_tui.tui.dialogs.session_switcher import SessionSwitcherDialog

        main = self.main
        sessions = self.service.list(limit=500)
        busy = set(self.service.busy_sessions())
        self.push_screen(SessionSwitcherDialog(sessions, current=main.session_id, busy=busy), self._switch_to)

    def _switch_to(self, session_id: str | None) -> None:
        if session_id:
            self.main.show_session(session_id)
            self.main.composer.input.focus()

    def action_rename_session(self, title: str = "") -> None:
        session_id = self.main.session_id
        session = self.service.get(session_id) if session_id else None
        if session is None:
            self.notify("Nothing to rename yet: send a message first.", severity="warning")
            return
        if title.strip():
            self.service.rename(session.id, title.strip())
            return
        self._ask_rename(session.id)

    def on_session_list_rename_requested(self, message: SessionList.RenameRequested) -> None:
        self._ask_rename(message.session_id)

    def _ask_rename(self, session_id: str) -> None:
        from agent_tui.tui.dialogs.text_input import TextInputDialog

        session = self.service.get(session_id)
        if session is None:
            return

        def renamed(new: str | None) -> None:
            if new and self.service.get(session_id) is not None:  # it may have been deleted meanwhile
                self.service.rename(session_id, new)

        self.push_screen(TextInputDialog("Rename session", value=session.title), renamed)

    def on_session_list_delete_requested(self, message: SessionList.DeleteRequested) -> None:
        self.action_delete_session(message.session_id)

    def action_delete_session(self, session_id: str) -> None:
        from agent_tui.tui.dialogs.confirm import ConfirmDialog

        session = self.service.get(session_id)
        if session is None:
            return
        busy = " It is running; deleting stops it." if self.runner.running(session_id) else ""
        self.push_screen(
            ConfirmDialog("Delete session?", f"“{session.title}” and all its messages will be deleted.{busy}",
                          confirm="Delete"),
            lambda yes: self._delete_session(session_id) if yes else None,
        )

    def _delete_session(self, session_id: str) -> None:
        try:
            self.service.delete(session_id, wait=False)  # a lock held by another process is not waited for
        except StorageError as exc:
            self.notify(f"{exc}\nNothing was deleted; try again once it is free.", title="Cannot delete the session",
                        severity="error", timeout=10)

    def action_export_session(self, target: str = "") -> None:
        session_id = self.main.session_id
        session = self.service.get(session_id) if session_id else None
        if session is None:
            self.notify("Nothing to export yet: send a message first.", severity="warning")
            return
        directory = self.service.project.directory
        if target.strip():
            path = Path(target.strip()).expanduser()
            path = path if path.is_absolute() else directory / path
            if path.exists():
                self.notify(f"{path} already exists; give another file name.", severity="error")
                return
        else:
            path = directory / f"session-{session.id[-8:]}.md"
            counter = 2
            while path.exists():
                path = directory / f"session-{session.id[-8:]}-{counter}.md"
                counter += 1
        try:
            write_private_text(path, to_markdown(session, self.service.messages(session.id)))
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Exported to {path}", timeout=6)

    def action_copy_last_reply(self) -> None:
        session_id = self.main.session_id
        messages = self.service.messages(session_id) if session_id else []
        reply = next((m for m in reversed(messages) if isinstance(m.info, AssistantMessage) and m.text()), None)
        if reply is None:
            self.notify("There is no reply to copy yet.", severity="warning")
            return
        text = reply.text()
        self.copy_to_clipboard(text)
        self.notify(f"Copied the last reply ({len(text)} characters) to the clipboard.", timeout=3)
