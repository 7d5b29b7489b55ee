"""Permission requests from every session, shown one dialog at a time, oldest first."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from agent_tui.core.events import PermissionAsked

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp
    from agent_tui.tui.dialogs.permission import PermissionAnswer, PermissionDialog


class PermissionQueue:
    def __init__(self, app: AgentApp) -> None:
        self.app = app
        self._waiting: deque[PermissionAsked] = deque()
        self._dialog: PermissionDialog | None = None

    def asked(self, event: PermissionAsked) -> None:
        self._waiting.append(event)
        self.show_next()

    def show_next(self) -> None:
        if self._dialog is not None or not self._waiting:
            return
        from agent_tui.tui.dialogs.permission import PermissionDialog  # here: not needed before the first frame

        app = self.app
        event = self._waiting[0]
        session = app.service.get(event.session_id)
        other = event.session_id != app.main.session_id
        dialog = PermissionDialog(event, session_title=session.title if session and other else None)
        self._dialog = dialog
        app.push_screen(dialog, lambda answer: self._chosen(event, answer))

    def _chosen(self, event: PermissionAsked, answer: PermissionAnswer | None) -> None:
        self._dialog = None
        if answer is not None:
            reply, text = answer
            self.app.service.permissions.reply(event.id, reply, text)
        self._drop(event.id)
        self.app.call_later(self.show_next)

    def _drop(self, request_id: str) -> None:
        self._waiting = deque(p for p in self._waiting if p.id != request_id)

    def answered(self, request_id: str) -> None:
        """Answered elsewhere (abort, an "always" grant covering it): close its dialog if it is open."""
        self._drop(request_id)
        dialog = self._dialog
        if dialog is not None and dialog.request_id == request_id:
            self._dialog = None
            if dialog.is_attached:
                dialog.dismiss(None)
