"""Which paths the file tools and the watcher skip: VCS folders, dependency folders, virtual envs, build output,
and the project's root `.gitignore` (a practical subset: globs, `**`, anchored `/x`, `dir/`, `!negation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# Folders never worth walking or watching in a coding project.
SKIPPED_DIRS: frozenset[str] = frozenset(
    {
        ".git", ".hg", ".svn", ".jj", "node_modules", "bower_components", "__pycache__", ".venv", "venv",
        ".env", "env", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
        ".cache", ".idea", ".gradle", ".next", ".nuxt", ".svelte-kit", ".turbo", ".parcel-cache",
        "dist", "build", "target", "out", "coverage", "htmlcov", ".eggs", "site-packages", ".terraform",
    }
)


def is_skipped_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.endswith(".egg-info")


@lru_cache(maxsize=512)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob to a regex on '/'-separated relative paths.

    `**` spans folders, `*` and `?` stay inside one path segment, `[abc]` and `{a,b}` work as in shells.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                    out.append("(?:.*/)?")  # `**/` matches zero or more folders
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif c == "{":
            end = pattern.find("}", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                options = pattern[i + 1 : end].split(",")
                out.append("(?:" + "|".join(glob_to_regex(o).pattern[4:-3] for o in options) + ")")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("(?s:" + "".join(out) + r")\Z")


def glob_matches(pattern: str, relative_path: str) -> bool:
    """Match like ripgrep's --glob: a pattern without '/' matches the file name at any depth."""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern.rstrip("/"):
        return bool(glob_to_regex(pattern).match(relative_path.rsplit("/", 1)[-1]))
    return bool(glob_to_regex(pattern.lstrip("/")).match(relative_path))


@dataclass
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    basename_only: bool


@dataclass
class IgnoreRules:
    """The skipped folders plus the root `.gitignore` of one project."""

    root: Path
    rules: list[_Rule] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> IgnoreRules:
        rules: list[_Rule] = []
        try:
            text = (root / ".gitignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        for raw in text.splitlines():
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            anchored = "/" in line
            line = line.lstrip("/")
            rules.append(
                _Rule(regex=glob_to_regex(line), negated=negated, dir_only=dir_only, basename_only=not anchored)
            )
        return cls(root=root, rules=rules)

    def ignored(self, relative_path: str, is_dir: bool) -> bool:
        """True when the '/'-separated path (relative to root) should be skipped."""
        parts = relative_path.split("/")
        if any(is_skipped_dir(p) for p in (parts if is_dir else parts[:-1])):
            return True
        if not self.rules:
            return False
        # A file inside an ignored folder is ignored: check every ancestor as a directory, then the path itself.
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            sub_is_dir = is_dir or depth < len(parts)
            if self._match(sub, parts[depth - 1], sub_is_dir):
                return True
        return False

    def _match(self, path: str, name: str, is_dir: bool) -> bool:
        result = False
        for rule in self.rules:
            if rule.dir_only and not is_dir:
                continue
            target = name if rule.basename_only else path
            if rule.regex.match(target):
                result = not rule.negated
        return result
