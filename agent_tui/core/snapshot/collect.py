"""Garbage collection of the snapshot repository: without it, it grows with every checkpointed step forever.

A checkpoint's trees are kept while some session can still undo or redo to them: every live or undone turn of
every stored session of the project (sub-agent sessions included), plus the trees of each session's changed-files
summary. Trees of deleted sessions and of discarded turns (undone, then replaced by a new message: they can never
be redone) are let go. The kept trees are listed in one tree of trees that `KEEP_REF` points at, and `git gc`
then packs what is reachable from it (and from our index) and deletes the rest.

Objects younger than `GRACE` are never deleted: another agent-tui process (or this one) may be between taking
a snapshot and storing the part that names it. git refreshes the time of an object it writes again, so an old
object reused by a new snapshot is young again. Collection runs at most every `COLLECT_EVERY`, in a thread, only
while no turn of this process runs, started after a turn ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from agent_tui.core.models import SnapshotPart
from agent_tui.core.private_files import write_private_text
from agent_tui.core.snapshot.git import SnapshotError, SnapshotRepo
from agent_tui.core.snapshot.turns import group_turns
from agent_tui.core.storage import Storage, StorageError

log = logging.getLogger(__name__)

COLLECT_EVERY = 24 * 3600.0  # seconds between collections of one project's repository
GRACE = "1.hour.ago"  # git's --prune expiry: objects younger than this always stay
STAMP = "agent-tui-collected"  # in the repository: its modification time is the last collection's
ALL_SESSIONS = 1 << 62


def kept_trees(storage: Storage, project_id: str) -> set[str]:
    """Every snapshot tree a stored session of the project can still undo or redo to. Blocks (reads storage)."""
    kept: set[str] = set()
    for session in storage.list_sessions(project_id, limit=ALL_SESSIONS, include_children=True):
        for change in session.changes:
            kept.update((change.base, change.head))
        for turn in group_turns(storage.list_messages(session.id)):
            if turn.reverted == "discarded":
                continue
            for message in turn.messages:
                for part in message.parts:
                    if isinstance(part, SnapshotPart):
                        kept.update(t for t in (part.before, part.after) if t)
    return kept


def due(git_dir: Path, now: float | None = None) -> bool:
    """Whether the repository was last collected longer than COLLECT_EVERY ago. A repository never collected
    starts its clock now: it is young and small."""
    stamp = git_dir / STAMP
    if not git_dir.is_dir():
        return False
    try:
        last = stamp.stat().st_mtime
    except FileNotFoundError:
        write_private_text(stamp, "")
        return False
    return (now if now is not None else time.time()) - last >= COLLECT_EVERY


def collect(repo: SnapshotRepo, storage: Storage, project_id: str, *, expire: str = GRACE,
            stop: threading.Event | None = None) -> None:
    """Drop every snapshot no session can reach any more. Blocks (reads storage, runs git gc)."""
    repo.collect(sorted(kept_trees(storage, project_id)), expire=expire, stop=stop)
    write_private_text(repo.git_dir / STAMP, "")


async def collect_if_due(repo: SnapshotRepo | None, storage: Storage, project_id: str,
                         busy: Callable[[], list[str]]) -> None:
    """Collect in a thread when it is due and no turn runs; never raises (it is background housekeeping)."""
    if repo is None or busy():
        return
    try:
        if not await asyncio.to_thread(due, repo.git_dir):
            return
        if busy():
            return
        stop = threading.Event()
        try:
            await asyncio.to_thread(collect, repo, storage, project_id, stop=stop)
        except asyncio.CancelledError:
            stop.set()  # the app is closing: it must not wait for the gc's thread
            repo.stop_collect()
            raise
        log.info("snapshot repository %s collected", repo.git_dir)
    except (SnapshotError, StorageError, OSError) as exc:
        log.warning("collecting the snapshot repository failed: %s", exc)
        with contextlib.suppress(OSError):  # not retried at every turn; a cancelled one is, at the next turn
            write_private_text(repo.git_dir / STAMP, "")
