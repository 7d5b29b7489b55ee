"""The project's files for `@` completion: `git ls-files` in a repository, otherwise a bounded walk.

Listing runs in a thread (see `PromptComposer`) and is cached until a file is added or deleted.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from agent_tui.core.tools.ignore import IgnoreRules

MAX_FILES = 50_000


def _git_files(root: Path) -> list[str] | None:
    try:
        result = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    names = [n for n in result.stdout.decode("utf-8", "replace").split("\0") if n]
    return names[:MAX_FILES]


def _walk_files(root: Path) -> list[str]:
    # Outside git: the tools' rules (dependency and build folders, every .gitignore/.ignore), hidden folders too.
    rules = IgnoreRules.load(root)
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        relative = Path(folder).relative_to(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not rules.ignored((relative / d).as_posix(), True)
        )
        for name in sorted(files):
            path = (relative / name).as_posix()
            if rules.ignored(path, False):
                continue
            found.append(path)
            if len(found) >= MAX_FILES:
                return found
    return found


def list_project_files(root: Path, *, use_git: bool = True) -> list[str]:
    """Paths relative to `root`, with `/` separators."""
    files = _git_files(root) if use_git else None
    return files if files is not None else _walk_files(root)
