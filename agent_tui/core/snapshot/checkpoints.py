"""Checkpoints around the steps of a turn that may change files (and around a user's `!command`).

Before the tool calls of such a step run, the project is snapshotted and a `SnapshotPart` records the tree;
after them (also when they fail or the turn is aborted) a second snapshot says which files changed, and the
session's changed-files summary is refreshed, so the sidebar follows a turn as it runs.

When git is missing or the snapshot repository fails, undo is off: that is said once (log and an
`UndoUnavailable` event) and the turn goes on as if nothing happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.bus import Bus
from agent_tui.core.events import UndoUnavailable
from agent_tui.core.models import AssistantMessage, SnapshotFile, SnapshotPart, UserMessage, now_ms
from agent_tui.core.project import Project
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.snapshot.changes import summarise
from agent_tui.core.snapshot.git import SnapshotError, SnapshotRepo, SnapshotTimeout, git_missing_reason
from agent_tui.core.storage import Storage

log = logging.getLogger(__name__)

# Tools that only read (or only touch agent-tui's own state). Every other tool, MCP tools and `task` included,
# may change files, so its step is checkpointed.
READ_ONLY_TOOLS = frozenset({"read", "glob", "grep", "ls", "todowrite", "todoread", "webfetch"})


def may_change_files(tool: str) -> bool:
    return tool not in READ_ONLY_TOOLS


def snapshot_dir(project: Project) -> Path:
    return paths.data_dir() / "snapshot" / project.id


class Checkpoints:
    def __init__(self, project: Project, bus: Bus, storage: Storage, writer: RecordWriter,
                 git_dir: Path | None = None) -> None:
        self.bus = bus
        self.storage = storage
        self.writer = writer
        self.project_id = project.id
        self.unavailable: str | None = git_missing_reason()
        self.repo: SnapshotRepo | None = None
        if self.unavailable is None:
            self.repo = SnapshotRepo(git_dir or snapshot_dir(project), project.root, user_git=project.is_git)
        self._announced = False

    @property
    def enabled(self) -> bool:
        return self.repo is not None and self.unavailable is None

    def _turn_off(self, reason: str, session_id: str | None) -> None:
        """Say once why undo is off. A failing snapshot keeps being retried (it may be a passing problem)."""
        if self._announced:
            return
        self._announced = True
        log.warning("undo is off: %s", reason)
        self.bus.publish(UndoUnavailable(session_id=session_id, reason=f"Undo is off: {reason}."))

    def announce_if_off(self, session_id: str | None = None) -> None:
        if self.unavailable is not None:
            self._turn_off(self.unavailable, session_id)

    async def snapshot(self, session_id: str | None = None) -> str | None:
        """The project's files now, as a tree id; None when snapshots cannot be taken."""
        if self.repo is None or self.unavailable is not None:
            self.announce_if_off(session_id)
            return None
        try:
            return await asyncio.to_thread(self.repo.snapshot)
        except SnapshotTimeout as exc:
            self.unavailable = str(exc)  # each step would wait as long again: off for this run
            self._turn_off(self.unavailable, session_id)
            return None
        except (SnapshotError, OSError) as exc:
            log.warning("snapshot failed: %s", exc)
            self._turn_off(f"taking a snapshot of the project failed ({exc})", session_id)
            return None

    @asynccontextmanager
    async def around_step(self, message: AssistantMessage | UserMessage, tools: list[str]) -> AsyncIterator[None]:
        """Wrap the tool calls of one step: snapshot before and after when any of them may change files. The
        message is the reply making the calls, or the user message of a `!command` (which is its own turn)."""
        if not any(may_change_files(name) for name in tools):
            yield
            return
        before = await self.snapshot(message.session_id)
        if before is None:
            yield
            return
        part = SnapshotPart(session_id=message.session_id, message_id=message.id, before=before)
        self.writer.part(part)
        try:
            yield
        finally:
            # Also after an abort: a command killed half-way may have changed files already.
            await self._record_after(part)

    async def _record_after(self, part: SnapshotPart) -> None:
        after = await self.snapshot(part.session_id)
        if after is None or self.repo is None:
            return
        try:
            stats = await asyncio.to_thread(self.repo.changed_files, part.before, after)
        except SnapshotError as exc:
            log.warning("snapshot diff failed: %s", exc)
            stats = []
        part.after = after
        part.files = [SnapshotFile(path=s.path, additions=s.additions, deletions=s.deletions, binary=s.binary,
                                   status=s.status) for s in stats]
        self.writer.part(part)
        if part.files:
            await self.refresh(part.session_id)
        log.debug("checkpoint %s → %s: %d files at %d", part.before[:8], after[:8], len(part.files), now_ms())

    async def refresh(self, session_id: str) -> None:
        """Recompute and store the session's changed-files summary (published with SessionUpdated)."""
        if self.repo is None:
            return
        self.writer.flush()
        history = self.storage.list_messages(session_id)
        try:
            changes = await asyncio.to_thread(summarise, self.repo, history)
        except SnapshotError as exc:
            log.warning("changed-files summary failed: %s", exc)
            return
        session = self.storage.get_session(session_id)  # re-read after the await: the cost may have moved
        if session is None:
            return
        session.changes = changes
        self.writer.session(session)  # stored (or kept through a locked database) and published

    async def collect_if_due(self, busy: Callable[[], list[str]]) -> None:
        """Garbage-collect the snapshot repository now and then, off the event loop and between turns."""
        if self.repo is None or self.unavailable is not None:
            return
        from agent_tui.core.snapshot.collect import collect_if_due

        self.writer.flush()  # the parts naming the newest trees must be readable by the collector
        if self.writer.problem is not None:
            return  # records wait in memory (a locked database): the collector could not see their trees
        await collect_if_due(self.repo, self.storage, self.project_id, busy)
