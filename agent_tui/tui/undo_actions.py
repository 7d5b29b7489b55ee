"""The app's undo actions: /undo, /redo, revert to a message, /diff and the changed-files list.

A mixin of `AgentApp` (like `session_actions`). Every action goes through the service; a file changed by hand
since the turn raises `RevertConflict`, which is shown in a dialog listing the files, and only a confirmation
there runs the action again with `force`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from agent_tui.core.events import Event, UndoUnavailable
from agent_tui.core.models import UserMessage
from agent_tui.core.session.service import BusyError, SessionNotFound
from agent_tui.core.session.shell_typed import typed_shell_command
from agent_tui.core.snapshot.revert import NothingToRevert, RevertConflict, RevertResult
from agent_tui.tui.widgets.changed_files import ChangedFiles
from agent_tui.tui.widgets.paste_attachments import from_parts

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object

MAX_LISTED_FILES = 12
Action = Callable[[bool], Awaitable[RevertResult]]


def file_list(files: list[str], height: int = 40) -> str:
    """The files, as many as a dialog can show at this terminal height with its buttons still on screen."""
    limit = max(2, min(MAX_LISTED_FILES, height - 19))
    if len(files) > limit:
        limit -= 1  # room for the "and N more" line
    shown = [f"  {name}" for name in files[:limit]]
    if len(files) > limit:
        shown.append(f"  … and {len(files) - limit} more")
    return "\n".join(shown)


class UndoActions(_Base):
    _undo_notice_shown = False

    def undo_event(self, event: Event) -> None:
        """Engine events this module shows: the one notice that undo is off."""
        if isinstance(event, UndoUnavailable) and not self._undo_notice_shown:
            self._undo_notice_shown = True
            self.notify(event.reason, title="Undo is off", severity="warning", timeout=12)

    def _undo_session(self) -> str | None:
        session_id = self.main.session_id
        if session_id is None:
            self.notify("Nothing to undo yet: this session has no messages.", severity="warning")
            return None
        if self.runner.running(session_id):
            self.notify("Wait for the reply to finish (or stop it with Esc) first.", severity="warning")
            return None
        return session_id

    # --- undo, redo, revert -------------------------------------------------------------------------------

    def action_undo(self) -> None:
        if (session_id := self._undo_session()) is not None:
            self.run_worker(self._run_revert(session_id, lambda force: self.service.undo(session_id, force=force)),
                            exit_on_error=False)

    def action_redo(self) -> None:
        if (session_id := self._undo_session()) is not None:
            self.run_worker(self._run_revert(session_id, lambda force: self.service.redo(session_id, force=force)),
                            exit_on_error=False)

    def action_revert(self) -> None:
        """Pick the user message to revert to."""
        from agent_tui.tui.dialogs.revert_picker import RevertEntry, RevertPickerDialog

        if (session_id := self._undo_session()) is None:
            return
        texts = {m.info.id: m.text() or typed_shell_command(m.parts) or "" for m in self.service.messages(session_id)}
        entries = [RevertEntry(message_id, texts.get(message_id, ""), len(files))
                   for message_id, files in self.service.revert_points(session_id)]
        if not entries:
            self.notify("Nothing to revert: no turn left in this session.", severity="warning")
            return
        self.push_screen(RevertPickerDialog(entries),
                         lambda message_id: self.revert_to_message(message_id) if message_id else None)

    def revert_to_message(self, message_id: str) -> None:
        """Ask first, listing the files it will put back; then revert (the transcript's selection calls this)."""
        from agent_tui.tui.dialogs.confirm import ConfirmDialog

        if (session_id := self._undo_session()) is None:
            return
        try:
            files = self.service.revert_preview(session_id, message_id)
        except (NothingToRevert, SessionNotFound) as exc:
            self.notify(str(exc), severity="warning")
            return
        turns = [m for m in self.service.messages(session_id) if isinstance(m.info, UserMessage)
                 and m.info.reverted is None]
        later = len(turns) - next((i for i, m in enumerate(turns) if m.info.id == message_id), len(turns))
        body = f"This undoes {later} turn{'s' if later != 1 else ''} (this message and everything after it)."
        body += f"\n\nFiles put back:\n{file_list(files, self.size.height)}" if files else "\n\nNo files change."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._run_revert(
                    session_id, lambda force: self.service.revert_to(session_id, message_id, force=force)),
                    exit_on_error=False)

        self.push_screen(ConfirmDialog("Revert to this message?", body, confirm="Revert"), confirmed)

    async def _run_revert(self, session_id: str, action: Action, *, force: bool = False) -> None:
        from agent_tui.tui.dialogs.confirm import ConfirmDialog

        try:
            result = await action(force)
        except RevertConflict as exc:
            listed = file_list(exc.files, self.size.height)
            body = (f"Changed since the turn (by you, or another program):\n{listed}\n\n"
                    f"{exc.action.capitalize()} anyway and overwrite these changes?")

            def overwrite(yes: bool | None) -> None:
                if yes:
                    self.run_worker(self._run_revert(session_id, action, force=True), exit_on_error=False)

            self.push_screen(ConfirmDialog("Files changed by hand", body, confirm="Overwrite"), overwrite)
            return
        except (NothingToRevert, BusyError, SessionNotFound) as exc:
            self.notify(str(exc), severity="warning")
            return
        self._reverted(session_id, result)

    def _reverted(self, session_id: str, result: RevertResult) -> None:
        verb = {"undo": "Undone", "redo": "Redone", "revert": "Reverted"}[result.action]
        files = f"{len(result.files)} file{'s' if len(result.files) != 1 else ''} put back" if result.files else (
            "no files changed")
        self.notify(f"{verb}: {files}." + (f"\n{result.note}" if result.note else ""), timeout=5,
                    severity="warning" if result.note else "information")
        main = self.main
        if result.action != "redo" and result.message_ids and main.session_id == session_id and \
                not main.composer.text.strip():
            # The undone message goes back into the prompt, to edit and send again.
            first = next((m for m in self.service.messages(session_id) if m.info.id == result.message_ids[0]), None)
            typed = (first.text() or typed_shell_command(first.parts)) if first is not None else None
            if first is not None and typed:  # a `!command` comes back as typed too
                main.composer.set_text(typed, from_parts(first.parts))

    # --- what changed -------------------------------------------------------------------------------------

    async def action_show_diff(self, path: str = "") -> None:
        from agent_tui.tui.dialogs.diff_view import DiffDialog

        session_id = self.main.session_id
        if session_id is None:
            self.notify("No file changes yet: this session has no messages.", severity="warning")
            return
        path = path.strip()
        changes = self.service.changed_files(session_id)
        if path and path not in {c.path for c in changes}:
            self.notify(f"{path} was not changed in this session.", severity="warning")
            return
        diff = await self.service.session_diff(session_id, path or None)
        title = f"{path}: changes in this session" if path else f"Changes in this session ({len(changes)} files)"
        self.push_screen(DiffDialog(title, diff))

    def on_changed_files_selected(self, message: ChangedFiles.Selected) -> None:
        self.run_worker(self.action_show_diff(message.path), exit_on_error=False)
