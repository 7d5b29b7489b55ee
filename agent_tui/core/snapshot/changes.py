"""The session's changed-files summary and its whole diff, from the checkpoints of its live turns."""

from __future__ import annotations

from agent_tui.core.models import FileChange, MessageWithParts, SnapshotFile
from agent_tui.core.snapshot.git import SnapshotRepo
from agent_tui.core.snapshot.turns import file_bounds, group_turns


def summarise(repo: SnapshotRepo, history: list[MessageWithParts]) -> list[FileChange]:
    """Each file the live turns changed, counted from before its first change to after its last. A file
    changed and then changed back is left out. Blocks (runs git, only for files changed in several steps: a
    file one step changed has its counts recorded on that step already)."""
    live = [t for t in group_turns(history) if t.reverted is None]
    recorded: dict[str, list[tuple[SnapshotFile, str, str]]] = {}
    for turn in live:
        for step in turn.steps:
            for changed in step.files:
                recorded.setdefault(changed.path, []).append((changed, step.before, step.after or ""))
    changes: list[FileChange] = []
    pairs: dict[tuple[str, str], list[str]] = {}
    for bound in file_bounds(live).values():
        steps = recorded[bound.path]
        if len(steps) == 1:
            stat, before, after = steps[0]
            changes.append(FileChange(path=stat.path, status=stat.status, additions=stat.additions,
                                      deletions=stat.deletions, binary=stat.binary, base=before, head=after))
        else:
            pairs.setdefault((bound.before, bound.after), []).append(bound.path)
    for (before, after), paths in pairs.items():
        for stat in repo.changed_files(before, after, paths):
            changes.append(FileChange(
                path=stat.path, status=stat.status, additions=stat.additions,
                deletions=stat.deletions, binary=stat.binary, base=before, head=after,
            ))
    return sorted(changes, key=lambda change: change.path)


def session_diff(repo: SnapshotRepo, changes: list[FileChange], path: str | None = None) -> str:
    """The unified diff of the session's changes (of one file when `path` is given). Blocks (runs git)."""
    return "".join(repo.diff(c.base, c.head, [c.path]) for c in changes if path is None or c.path == path)
