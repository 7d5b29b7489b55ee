"""Which paths the file tools and the watcher skip: VCS folders, dependency folders, virtual envs, build output,
and what the project's ignore files say: every `.gitignore` and `.ignore` in the tree and `.git/info/exclude`,
with git's own matching rules (the `pathspec` package's gitwildmatch implementation).

`glob_matches` is a different job: the glob patterns the model passes to glob, grep and ls.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

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


IGNORE_FILES = (".gitignore", ".ignore")  # read in this order: in one folder `.ignore` (ripgrep's) wins


def _read_spec(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # missing, a folder, unreadable: no rules from it
        return None
    import pathspec  # here, not at the top: the prompt imports this module before the first frame

    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    return spec if len(spec) else None


def git_dir(root: Path) -> Path | None:
    """The git folder of a checkout rooted at `root` (a `.git` folder, or the `gitdir:` of a worktree's file)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        first = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not first.startswith("gitdir:"):
        return None
    found = Path(first[len("gitdir:") :].strip())
    found = found if found.is_absolute() else root / found
    try:  # a linked worktree keeps `info/exclude` in the main repository's folder
        common = (found / "commondir").read_text(encoding="utf-8").strip()
        return (found / common).resolve()
    except OSError:
        return found


class IgnoreRules:
    """The skipped folders plus every ignore file of one project, matched with git's rules (`pathspec`).

    Sources, from weakest to strongest (the last matching pattern wins, as in git): `.git/info/exclude`, then
    the `.gitignore` and `.ignore` of the root, then those of each folder down to the path's own folder, each
    matched against the path relative to the folder it lives in. A path inside an ignored folder is ignored
    whatever a deeper file says, as git does. Ignore files are read once per folder and cached.
    """

    def __init__(self, root: Path, base: list[pathspec.GitIgnoreSpec] | None = None) -> None:
        self.root = root
        self._base = base or []
        self._folder_specs: dict[str, tuple[pathspec.GitIgnoreSpec, ...]] = {}
        self._dir_verdicts: dict[str, bool] = {}

    @classmethod
    def load(cls, root: Path) -> IgnoreRules:
        base: list[pathspec.GitIgnoreSpec] = []
        found = git_dir(root)
        if found is not None:
            exclude = _read_spec(found / "info" / "exclude")
            if exclude is not None:
                base.append(exclude)
        return cls(root, base)

    def _specs_in(self, folder: str) -> tuple[pathspec.GitIgnoreSpec, ...]:
        specs = self._folder_specs.get(folder)
        if specs is None:
            directory = self.root / folder if folder else self.root
            specs = tuple(spec for name in IGNORE_FILES if (spec := _read_spec(directory / name)) is not None)
            self._folder_specs[folder] = specs
        return specs

    def _matches(self, parts: list[str], is_dir: bool) -> bool:
        """Whether the path made of `parts` is ignored by a pattern itself (ignoring its parent folders)."""
        verdict: bool | None = None
        suffix = "/" if is_dir else ""
        for spec in self._base:
            verdict = _check(spec, "/".join(parts) + suffix, verdict)
        for depth in range(len(parts)):
            below = "/".join(parts[depth:]) + suffix
            for spec in self._specs_in("/".join(parts[:depth])):
                verdict = _check(spec, below, verdict)
        return bool(verdict)

    def ignored(self, relative_path: str, is_dir: bool) -> bool:
        """True when the '/'-separated path (relative to root) should be skipped."""
        parts = [p for p in relative_path.split("/") if p and p != "."]
        if not parts:
            return False
        if any(is_skipped_dir(p) for p in (parts if is_dir else parts[:-1])):
            return True
        for depth in range(1, len(parts)):  # every parent folder, cached: walks ask about siblings in turn
            folder = "/".join(parts[:depth])
            verdict = self._dir_verdicts.get(folder)
            if verdict is None:
                verdict = self._matches(parts[:depth], True)
                self._dir_verdicts[folder] = verdict
            if verdict:
                return True
        return self._matches(parts, is_dir)


def _check(spec: pathspec.GitIgnoreSpec, path: str, verdict: bool | None) -> bool | None:
    result = spec.check_file(path)
    return verdict if result.include is None else result.include
