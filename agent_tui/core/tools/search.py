"""Walking and searching a folder tree for glob, grep and ls: ripgrep when it is installed, Python otherwise.

Both skip `.git`, dependency folders, virtual envs and build output; the Python walk also honours the
project's ignore files (ripgrep does by itself).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from agent_tui.core.tools.base import ToolContext
from agent_tui.core.tools.ignore import SKIPPED_DIRS, IgnoreRules, glob_matches

MAX_RESULTS = 100
Stop = Callable[[], bool]


def ripgrep(use_ripgrep: bool | None) -> str | None:
    """The rg executable, unless disabled (`use_ripgrep=False`) or not installed."""
    if use_ripgrep is False:
        return None
    return shutil.which("rg")


def rg_exclude_args() -> list[str]:
    args = ["--hidden", "--no-messages", "--no-require-git"]  # .gitignore counts outside a checkout too
    for name in sorted(SKIPPED_DIRS):
        args += ["--glob", f"!**/{name}/**", "--glob", f"!{name}"]
    return args


@dataclass
class Walk:
    """A folder to walk and how to relate its paths to the ignore rules."""

    base: Path
    rules: IgnoreRules
    rules_root: Path

    @classmethod
    def for_path(cls, base: Path, ctx: ToolContext) -> Walk:
        root = ctx.root.resolve()
        resolved = base.resolve()
        if resolved == root or root in resolved.parents:
            return cls(base=resolved, rules=IgnoreRules.load(root), rules_root=root)
        return cls(base=resolved, rules=IgnoreRules.load(resolved), rules_root=resolved)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.rules_root).as_posix()

    def files(self, stop: Stop, *, include: str | None = None) -> Iterator[Path]:
        """Every file under base not ignored (symlinked folders are not followed), filtered by `include`."""
        if self.base.is_file():
            yield self.base
            return
        for folder, dirs, names in os.walk(self.base):
            if stop():
                return
            folder_path = Path(folder)
            kept = []
            for d in sorted(dirs):
                rel = self.relative(folder_path / d)
                if not self.rules.ignored(rel, True):
                    kept.append(d)
            dirs[:] = kept
            for name in sorted(names):
                path = folder_path / name
                rel = self.relative(path)
                if self.rules.ignored(rel, False):
                    continue
                if include and not glob_matches(include, path.relative_to(self.base).as_posix()):
                    continue
                yield path


def mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def newest_first(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=lambda p: (-mtime(p), str(p)))
