"""The session's changed-files summary and its whole diff, from the checkpoints of its live turns."""

from __future__ import annotations

from agent_tui.core.models import FileChange, MessageWithParts
from agent_tui.core.snapshot.git import SnapshotRepo
from agent_tui.core.snapshot.turns import FileBounds, file_bounds, group_turns


def live_bounds(history: list[MessageWithParts]) -> dict[str, FileBounds]:
    return file_bounds([t for t in group_turns(history) if t.reverted is None])


def summarise(repo: SnapshotRepo, history: list[MessageWithParts]) -> list[FileChange]:
    """Each file the live turns changed, counted from before its first change to after its last. A file
    changed and then changed back is left out. Blocks (runs git)."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for bound in live_bounds(history).values():
        pairs.setdefault((bound.before, bound.after), []).append(bound.path)
    changes: list[FileChange] = []
    for (before, after), paths in pairs.items():
        for stat in repo.changed_files(before, after, paths):
            changes.append(FileChange(
                path=stat.path, status=stat.status, additions=stat.additions,  # type: ignore[arg-type]
                deletions=stat.deletions, binary=stat.binary, base=before, head=after,
            ))
    return sorted(changes, key=lambda change: change.path)


def session_diff(repo: SnapshotRepo, changes: list[FileChange], path: str | None = None) -> str:
    """The unified diff of the session's changes (of one file when `path` is given). Blocks (runs git)."""
    return "".join(repo.diff(c.base, c.head, [c.path]) for c in changes if path is None or c.path == path)
