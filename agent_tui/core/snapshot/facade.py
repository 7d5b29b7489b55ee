"""SessionService's undo methods (a base class of it, so the service file stays a thin list of concerns).

Each goes through `Reverter` (revert.py) or the checkpoints' changed-files summary; undo, redo and revert hold
the session's run lock, so no turn can start while files are being put back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from agent_tui.core.models import FileChange, Session
from agent_tui.core.snapshot.changes import session_diff
from agent_tui.core.snapshot.revert import RevertResult

if TYPE_CHECKING:
    from agent_tui.core.snapshot.checkpoints import Checkpoints
    from agent_tui.core.snapshot.revert import Reverter


class UndoFacade:
    checkpoints: Checkpoints
    reverter: Reverter

    # Provided by SessionService.
    def _require(self, session_id: str) -> Session:  # pragma: no cover - overridden
        raise NotImplementedError

    def _acquire(self, session_id: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _release(self, run: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def undo(self, session_id: str, *, force: bool = False) -> RevertResult:
        """Put back the files of the last live turn and take it out of what the model sees. Raises
        NothingToRevert, RevertConflict (files changed by hand since; `force` overwrites them), BusyError."""
        return await self._reverting(session_id, self.reverter.undo(session_id, force=force))

    async def redo(self, session_id: str, *, force: bool = False) -> RevertResult:
        return await self._reverting(session_id, self.reverter.redo(session_id, force=force))

    async def revert_to(self, session_id: str, message_id: str, *, force: bool = False) -> RevertResult:
        """Undo the turn of user message `message_id` and every turn after it."""
        return await self._reverting(session_id, self.reverter.revert_to(session_id, message_id, force=force))

    def revert_preview(self, session_id: str, message_id: str | None = None) -> list[str]:
        """The files a revert to `message_id` (an undo when None) would put back."""
        return self.reverter.preview(session_id, message_id)

    def revert_points(self, session_id: str) -> list[tuple[str, list[str]]]:
        """(user message id, files a revert to it would put back) for every live turn, newest first."""
        return self.reverter.revert_points(session_id)

    async def _reverting(self, session_id: str, work: Coroutine[Any, Any, RevertResult]) -> RevertResult:
        try:
            self._require(session_id)
            run = self._acquire(session_id)
        except BaseException:
            work.close()
            raise
        try:
            return await work
        finally:
            self._release(run)

    def changed_files(self, session_id: str) -> list[FileChange]:
        return list(self._require(session_id).changes)

    async def session_diff(self, session_id: str, path: str | None = None) -> str:
        """The session's changes as a unified diff (of one file when `path` is given)."""
        changes, repo = self.changed_files(session_id), self.checkpoints.repo
        return await asyncio.to_thread(session_diff, repo, changes, path) if repo and changes else ""
