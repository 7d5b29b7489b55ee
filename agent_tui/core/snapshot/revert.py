"""Undo, redo and revert-to-message: put files back from checkpoints and mark turns as reverted.

- undo: the last live turn; its files go back to their state before it, its messages are marked "undone"
  (kept in storage and shown, no longer sent to the model). Repeated undo walks back turn by turn.
- redo: the earliest undone turn comes back, files included.
- revert to a user message: that message's turn and every live turn after it, at once.
- A new message after an undo turns the undone turns into "discarded" ones: they can no longer be redone.

A file the user changed by hand since the turn is never overwritten silently: its current content is compared
with what the turn left (with what the undo left, for redo) and a difference raises `RevertConflict`, unless
`force` is given.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from pydantic import Field

from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.models import MessageWithParts, SnapshotFile, SnapshotPart, ToolPart
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.snapshot.checkpoints import Checkpoints, may_change_files
from agent_tui.core.snapshot.turns import TurnRecord, by_tree, file_bounds, group_turns
from agent_tui.core.storage import Storage

Action = Literal["undo", "redo", "revert"]


class NothingToRevert(Exception):
    """There is no turn to undo (or to redo)."""


class RevertConflict(Exception):
    """Files were changed by hand since the turn: putting them back would lose those changes."""

    def __init__(self, action: Action, files: list[str]) -> None:
        self.action = action
        self.files = files
        names = ", ".join(files[:10]) + (f" and {len(files) - 10} more" if len(files) > 10 else "")
        super().__init__(
            f"{len(files)} file{'s' if len(files) != 1 else ''} changed since the turn ({names}); "
            f"{action} would overwrite those changes. Run it again with --force to overwrite them."
        )


class RevertResult(DeferredModel):
    action: Action
    message_ids: list[str] = Field(default_factory=list)  # the user messages whose turns were undone or redone
    files: list[str] = Field(default_factory=list)  # the files put back
    note: str | None = None  # e.g. files could not be restored because undo is off


def discard_redo(history: list[MessageWithParts], writer: RecordWriter) -> None:
    """A new message was sent: the turns undone so far can no longer be redone (they stay, as discarded)."""
    for message in history:
        if message.info.reverted == "undone":
            # A copy: `history` may be the storage's shared cache (Storage.history), never changed in place.
            writer.message(message.info.model_copy(update={"reverted": "discarded"}))


class Reverter:
    def __init__(self, checkpoints: Checkpoints, storage: Storage, writer: RecordWriter) -> None:
        self.checkpoints = checkpoints
        self.storage = storage
        self.writer = writer

    def _turns(self, session_id: str) -> list[TurnRecord]:
        self.writer.flush()
        return group_turns(self.storage.list_messages(session_id))

    # --- what each action would touch ------------------------------------------------------------------------

    @staticmethod
    def _undo_target(turns: list[TurnRecord]) -> list[TurnRecord]:
        live = [t for t in turns if t.reverted is None]
        if not live:
            raise NothingToRevert("Nothing to undo: no turn left in this session.")
        return live[-1:]

    @staticmethod
    def _redo_target(turns: list[TurnRecord]) -> list[TurnRecord]:
        undone = [t for t in turns if t.reverted == "undone"]
        if not undone:
            raise NothingToRevert("Nothing to redo: no undone turn (a new message after an undo ends redo).")
        return undone[:1]

    @staticmethod
    def _revert_target(turns: list[TurnRecord], message_id: str) -> list[TurnRecord]:
        ids = [t.user.info.id for t in turns]
        if message_id not in ids:
            raise NothingToRevert(f"No user message {message_id} in this session.")
        target = [t for t in turns[ids.index(message_id):] if t.reverted is None]
        if not target:
            raise NothingToRevert("That message and everything after it are already undone.")
        return target

    def preview(self, session_id: str, message_id: str | None = None) -> list[str]:
        """The files a revert to `message_id` (an undo, when None) would put back."""
        turns = self._turns(session_id)
        target = self._undo_target(turns) if message_id is None else self._revert_target(turns, message_id)
        return sorted(file_bounds(target))

    def revert_points(self, session_id: str) -> list[tuple[str, list[str]]]:
        """Every live turn's user message id, newest first, with the files reverting to it would put back."""
        turns = self._turns(session_id)
        live = [t for t in turns if t.reverted is None]
        return [(turn.user.info.id, sorted(file_bounds(live[index:]))) for index, turn in reversed(list(
            enumerate(live)))]

    # --- actions ---------------------------------------------------------------------------------------------

    async def undo(self, session_id: str, *, force: bool = False) -> RevertResult:
        return await self._apply(session_id, "undo", self._undo_target(self._turns(session_id)), force)

    async def redo(self, session_id: str, *, force: bool = False) -> RevertResult:
        return await self._apply(session_id, "redo", self._redo_target(self._turns(session_id)), force)

    async def revert_to(self, session_id: str, message_id: str, *, force: bool = False) -> RevertResult:
        target = self._revert_target(self._turns(session_id), message_id)
        return await self._apply(session_id, "revert", target, force)

    async def _apply(self, session_id: str, action: Action, turns: list[TurnRecord], force: bool) -> RevertResult:
        backwards = action != "redo"
        restore_to, expected = ("before", "after") if backwards else ("after", "before")
        repo = self.checkpoints.repo
        interrupted = [p for t in turns for m in t.messages for p in m.parts
                       if isinstance(p, SnapshotPart) and p.after is None]
        conflicts: set[str] = set()
        if interrupted or file_bounds(turns):
            now = await self.checkpoints.snapshot(session_id)
            if now is None or repo is None:
                reason = self.checkpoints.unavailable or "the project could not be snapshotted (see the log)"
                raise NothingToRevert(f"Cannot {action} the files: {reason}.")
            # A step cut off by a crash never recorded its end: what changed since it began is the turn's as far
            # as anyone can tell, but the user may have edited those files since, so they are confirmed first.
            for part in interrupted:
                stats = await asyncio.to_thread(repo.changed_files, part.before, now)
                part.after = now
                part.files = [SnapshotFile(path=s.path, additions=s.additions, deletions=s.deletions,
                                           binary=s.binary, status=s.status) for s in stats]
                conflicts.update(s.path for s in stats)
            bounds = list(file_bounds(turns).values())
            if not force:
                for tree, paths in by_tree(bounds, expected).items():
                    conflicts.update(await asyncio.to_thread(repo.differing, now, tree, paths))
                if conflicts:
                    raise RevertConflict(action, sorted(conflicts))
            for part in interrupted:
                self.writer.part(part)
            for tree, paths in by_tree(bounds, restore_to).items():
                await asyncio.to_thread(repo.restore, tree, paths)
        else:
            bounds = []
        for turn in turns:
            for message in turn.messages:
                message.info.reverted = "undone" if backwards else None
                self.writer.message(message.info)
        await self.checkpoints.refresh(session_id)
        return RevertResult(action=action, message_ids=[t.user.info.id for t in turns],
                            files=sorted(b.path for b in bounds), note=self._note(turns))

    def _note(self, turns: list[TurnRecord]) -> str | None:
        """Say so when a turn ran tools that may have changed files but no checkpoint was recorded for it."""
        unrecorded = any(
            isinstance(part, ToolPart) and may_change_files(part.tool) and not turn.may_have_changed_files
            for turn in turns for message in turn.messages for part in message.parts
        )
        if not unrecorded:
            return None
        reason = self.checkpoints.unavailable or "no checkpoint was recorded for it"
        return f"Files were not restored ({reason}); only the conversation changed."
