"""Snapshots of a project's files in a git repository of agent-tui's own.

The repository lives under the data directory (one per project) and is used with the project as its work tree:
`git add -A` into our own index, then `write-tree`, gives the id of a tree holding every file git would see
(every `.gitignore`, the user's `.git/info/exclude`, the global excludes file). The user's `.git`, its index,
stash, branches and hooks are never touched: every command runs with `GIT_DIR` pointing at our folder and with
the user's and the system's git config switched off, so no hook, filter or config of theirs can interfere.

Our index is kept between calls, so git's stat cache makes a snapshot of an unchanged tree cost one lstat per
file (see benchmarks/snapshot.py). Attributes are overridden (`-text -filter`) so that files are stored and
restored byte for byte.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agent_tui.core.private_files import private_dir, write_private_text

log = logging.getLogger(__name__)

# Not worth keeping (and often huge) in a folder that is not a git checkout, where no .gitignore says so.
DEFAULT_EXCLUDES = (
    "node_modules/", ".venv/", "venv/", "__pycache__/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/",
    ".tox/", ".nox/", ".cache/", "*.pyc", ".DS_Store",
)
_ATTRIBUTES = "* -text -filter -ident -working-tree-encoding\n"
_LOCK_RETRIES = 50  # another agent-tui process may hold our index.lock for a moment
KEEP_REF = "refs/agent-tui/kept"  # a tree of the snapshot trees still needed (collect.py)
SNAPSHOT_TIMEOUT = 60.0  # seconds; the first snapshot of a big checkout (70k files) takes about 10
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


class SnapshotError(Exception):
    """A git command on our snapshot repository failed."""


class SnapshotTimeout(SnapshotError):
    """A snapshot took too long (a huge folder, such as a home directory): not worth retrying at every step."""


@dataclass(frozen=True)
class FileStat:
    path: str  # relative to the work tree, '/'-separated
    additions: int
    deletions: int
    binary: bool = False
    status: Literal["added", "modified", "deleted"] = "modified"


def git_missing_reason() -> str | None:
    """Why snapshots cannot work here, or None when git is available."""
    if shutil.which("git") is None:
        return "git was not found on PATH; install git to turn undo on"
    return None


def _lock_for(git_dir: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(git_dir, threading.Lock())


class SnapshotRepo:
    """One project's snapshot repository. Methods block (they run git); call them from a thread."""

    def __init__(self, git_dir: Path, work_tree: Path, *, user_git: bool) -> None:
        self.git_dir = git_dir
        self.work_tree = work_tree
        self.user_git = user_git  # the work tree is a git checkout of the user's
        self._git = shutil.which("git") or "git"
        self._lock = _lock_for(git_dir)
        self._ready = False
        self._env = self._environment()
        self.timeout = SNAPSHOT_TIMEOUT
        self._gc_process: subprocess.Popen[bytes] | None = None

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_DIR=str(self.git_dir),
            GIT_WORK_TREE=str(self.work_tree),
            GIT_INDEX_FILE=str(self.git_dir / "index"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_TERMINAL_PROMPT="0",
            GIT_LITERAL_PATHSPECS="1",  # file names are names, never patterns
            GIT_AUTHOR_NAME="agent-tui", GIT_AUTHOR_EMAIL="agent-tui@localhost",
            GIT_COMMITTER_NAME="agent-tui", GIT_COMMITTER_EMAIL="agent-tui@localhost",
            LC_ALL="C",
        )
        return env

    # --- running git ----------------------------------------------------------------------------------------

    def _run(self, *args: str, input: bytes | None = None, check: bool = True,
             timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
        for attempt in range(_LOCK_RETRIES):
            try:
                result = subprocess.run(
                    [self._git, *args], cwd=self.work_tree, env=self._env, input=input, timeout=timeout,
                    capture_output=True, stdin=None if input is not None else subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired as exc:
                # The killed git leaves its lock behind; nobody else holds it (we hold our own lock).
                (self.git_dir / "index.lock").unlink(missing_ok=True)
                raise SnapshotTimeout(
                    f"a snapshot of {self.work_tree} took longer than {timeout:.0f} s (is it a very large folder?)"
                ) from exc
            if result.returncode == 0 or not check:
                return result
            stderr = result.stderr.decode("utf-8", "replace")
            if "index.lock" in stderr and attempt < _LOCK_RETRIES - 1:
                time.sleep(0.05)
                continue
            raise SnapshotError(f"git {args[0]} failed: {stderr.strip()[:500]}")
        raise SnapshotError(f"git {args[0]} failed")  # pragma: no cover - the loop returns or raises

    def _ensure(self) -> None:
        if self._ready:
            return
        if not (self.git_dir / "HEAD").exists():
            private_dir(self.git_dir)
            self._run("init", "-q", "--shared=0600")  # the repository's own files 0600/0700 whatever the umask
            for key, value in (
                ("core.autocrlf", "false"), ("core.safecrlf", "false"), ("core.quotepath", "false"),
                ("core.fsmonitor", "false"), ("core.untrackedCache", "true"), ("core.preloadIndex", "true"),
                ("core.bare", "false"), ("gc.auto", "0"),  # git never prunes on its own: collect() decides what stays
                ("commit.gpgSign", "false"), ("core.hooksPath", os.devnull),
            ):
                self._run("config", key, value)
        info = self.git_dir / "info"
        private_dir(info)
        write_private_text(info / "attributes", _ATTRIBUTES)
        exclude = "" if self.user_git else "\n".join(DEFAULT_EXCLUDES) + "\n"
        write_private_text(info / "exclude", exclude)
        user_exclude = self._user_exclude_file()
        if user_exclude is not None:
            self._run("config", "core.excludesFile", str(user_exclude))
        else:
            self._run("config", "--unset-all", "core.excludesFile", check=False)
        self._ready = True

    def _user_exclude_file(self) -> Path | None:
        """The user's `.git/info/exclude` (also for a worktree, whose `.git` is a file naming the real folder)."""
        if not self.user_git:
            return None
        dot_git = self.work_tree / ".git"
        git_dir = dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            git_dir = (self.work_tree / text.removeprefix("gitdir:").strip()).resolve()
            common = git_dir / "commondir"
            if common.is_file():
                git_dir = (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
        path = git_dir / "info" / "exclude"
        return path if path.is_file() else None

    # --- snapshots ------------------------------------------------------------------------------------------

    def snapshot(self) -> str:
        """Record the work tree as it is now; return the tree id."""
        with self._lock:
            self._ensure()
            # --ignore-errors: a file vanishing or unreadable mid-way must not lose the whole snapshot.
            added = self._run("add", "-A", "--ignore-errors", "--", ".", check=False, timeout=self.timeout)
            if added.returncode != 0:
                log.warning("snapshot: git add: %s", added.stderr.decode("utf-8", "replace").strip()[:500])
            return self._run("write-tree").stdout.decode().strip()

    def changed_files(self, before: str, after: str, paths: list[str] | None = None) -> list[FileStat]:
        """Files that differ between two snapshots, with their status and +/- line counts."""
        if before == after:
            return []
        base = ["diff-tree", "-r", "-z", "--no-renames", before, after, *(["--", *paths] if paths else [])]
        status_out = self._run(*base[:3], "--name-status", *base[3:]).stdout.decode("utf-8", "surrogateescape")
        fields = status_out.split("\0")
        statuses = {fields[i + 1]: fields[i] for i in range(0, len(fields) - 1, 2)}
        out = self._run(*base[:3], "--numstat", *base[3:]).stdout.decode("utf-8", "surrogateescape")
        stats = []
        for entry in out.split("\0"):
            if not entry:
                continue
            added, deleted, path = entry.split("\t", 2)
            binary = added == "-"
            code = statuses.get(path, "M")
            status: Literal["added", "modified", "deleted"] = (
                "added" if code == "A" else "deleted" if code == "D" else "modified")
            stats.append(FileStat(path, 0 if binary else int(added), 0 if binary else int(deleted), binary, status))
        return stats

    def differing(self, tree_a: str, tree_b: str, paths: list[str]) -> list[str]:
        """Which of `paths` differ between two snapshots."""
        if tree_a == tree_b or not paths:
            return []
        out = self._run("diff-tree", "-r", "-z", "--name-only", "--no-renames", tree_a, tree_b, "--", *paths)
        return [p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p]

    def diff(self, before: str, after: str, paths: list[str] | None = None) -> str:
        """The unified diff between two snapshots (of `paths`, or of everything)."""
        if before == after:
            return ""
        args = ["diff-tree", "-r", "-p", "--no-renames", "--no-color", before, after]
        return self._run(*args, *(["--", *paths] if paths else [])).stdout.decode("utf-8", "replace")

    def restore(self, tree: str, paths: list[str]) -> None:
        """Put `paths` back as they are in `tree`: overwritten, recreated, or deleted when `tree` lacks them."""
        if not paths:
            return
        with self._lock:
            self._ensure()
            listed = self._run("ls-tree", "-r", "-z", "--name-only", tree, "--", *paths).stdout
            present = {p for p in listed.decode("utf-8", "surrogateescape").split("\0") if p}
            if present:
                spec = "\0".join(sorted(present)).encode("utf-8", "surrogateescape")
                self._run("checkout", tree, "--pathspec-from-file=-", "--pathspec-file-nul", input=spec)
            for path in paths:
                if path not in present:
                    self._remove(path)

    def _remove(self, path: str) -> None:
        target = self.work_tree / path
        try:
            if target.is_dir() and not target.is_symlink():
                return  # a folder now stands where the file was: leave the user's folder alone
            target.unlink(missing_ok=True)
        except OSError as exc:
            raise SnapshotError(f"cannot remove {path}: {exc.strerror}") from exc
        # Remove folders the file's creation brought, if they are empty now.
        parent = target.parent
        while parent != self.work_tree and self.work_tree in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    # --- garbage collection (collect.py decides what stays) -------------------------------------------------

    def existing_trees(self, ids: list[str]) -> list[str]:
        """Those of `ids` that are trees in the repository (a record may name one a crash or a user removed)."""
        if not ids:
            return []
        out = self._run("cat-file", "--batch-check=%(objectname) %(objecttype)",
                        input=("\n".join(ids) + "\n").encode()).stdout.decode()
        return [line.split()[0] for line in out.splitlines() if line.endswith(" tree")]

    def collect(self, keep: list[str], *, expire: str, stop: threading.Event | None = None) -> None:
        """Keep the trees `keep` (and what our index holds), pack them, delete every other object older than
        `expire` (a git date such as "1.hour.ago", or "now"). Once `stop` is set, no gc starts and stop_collect()
        ends a running one."""
        with self._lock:
            self._ensure()
        listing = "".join(f"040000 tree {tree}\t{tree}\n" for tree in self.existing_trees(keep))
        holder = self._run("mktree", input=listing.encode()).stdout.decode().strip()
        self._run("update-ref", KEEP_REF, holder)
        self._gc(expire, stop or threading.Event())

    def _gc(self, expire: str, stop: threading.Event) -> None:
        if stop.is_set():
            raise SnapshotError("git gc not started: the app is closing")
        # Its own process group, so that stop_collect() ends it with its children (repack, pack-objects). A gc
        # killed half-way is harmless: git leaves temporary packs that the next gc removes.
        process = subprocess.Popen(
            [self._git, "gc", "--quiet", f"--prune={expire}"], cwd=self.work_tree, env=self._env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        self._gc_process = process
        if stop.is_set():  # stopped while it started: stop_collect() may have looked before it was set
            self.stop_collect()
        try:
            _, stderr = process.communicate()
        finally:
            self._gc_process = None
        if process.returncode != 0:
            raise SnapshotError(f"git gc failed ({process.returncode}): {stderr.decode('utf-8', 'replace')[:500]}")

    def stop_collect(self) -> None:
        """End a running gc (the app is closing): a later collection redoes it."""
        process = self._gc_process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
