"""The project a session belongs to: the git root of the working folder, or the folder itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


def find_git_root(start: Path) -> Path | None:
    """Walk up from `start` to the folder holding `.git` (a directory, or a file for worktrees)."""
    current = start.resolve()
    for folder in (current, *current.parents):
        if (folder / ".git").exists():
            return folder
    return None


@dataclass(frozen=True)
class Project:
    id: str
    root: Path  # git root, or the working folder when there is no git
    directory: Path  # the working folder the app was opened in
    is_git: bool

    @classmethod
    def discover(cls, directory: Path | str) -> Project:
        folder = Path(directory).expanduser().resolve()
        git_root = find_git_root(folder)
        root = git_root or folder
        digest = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:16]
        return cls(id=f"prj_{digest}", root=root, directory=folder, is_git=git_root is not None)
