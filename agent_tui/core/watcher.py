"""Watch the project folder and publish `FileChanged` for every file added, modified or deleted.

Runs as one asyncio task around `watchfiles.awatch` (the OS notifications are read in a Rust thread, so the loop
is never blocked). Skips VCS folders, virtual envs, dependency and build folders, editor swap files, our own
atomic-write temp files and whatever the project's ignore files name (every `.gitignore` and `.ignore`, and
`.git/info/exclude`, with git's rules). Paths are published absolute.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import re
from pathlib import Path

import watchfiles

from agent_tui.core.bus import Bus
from agent_tui.core.events import FileChanged
from agent_tui.core.tools.ignore import IGNORE_FILES, IgnoreRules

log = logging.getLogger(__name__)

_CHANGE_NAMES = {
    watchfiles.Change.added: "added",
    watchfiles.Change.modified: "modified",
    watchfiles.Change.deleted: "deleted",
}
# Editor swap/backup files and the temp files of `fileio.atomic_write` (".NAME.XXXX.tmp").
_NOISE = re.compile(r"(\.sw.|~|\.py[cod]|^\.#.*|^\..+\.tmp|^\.DS_Store)$")


class FileWatcher:
    def __init__(self, root: Path, bus: Bus, *, debounce_ms: int = 800, step_ms: int = 50) -> None:
        self.root = root.resolve()
        self.bus = bus
        self._debounce_ms = debounce_ms
        self._step_ms = step_ms
        self._rules = IgnoreRules.load(self.root)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start watching in the background (idempotent)."""
        if self.running:
            return
        self._stop = asyncio.Event()
        self._ready = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=f"file-watcher:{self.root}")

    async def wait_ready(self) -> None:
        """Wait until the OS watch is in place (tests: changes made before this may be missed)."""
        await self._ready.wait()

    async def stop(self) -> None:
        """Stop and wait for the task to end; cancels it if it does not end within a second."""
        task = self._task
        self._task = None
        if task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=1.0)
        except TimeoutError:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        except Exception:
            log.exception("file watcher ended with an error")

    def accepts(self, change: watchfiles.Change, path: str) -> bool:
        """The watch filter: False for paths outside the root or in skipped/ignored places."""
        name = os.path.basename(path)
        if _NOISE.search(name):
            return False
        try:
            relative = Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return False
        if relative == ".":
            return False
        is_dir = change != watchfiles.Change.deleted and os.path.isdir(path)
        return not self._rules.ignored(relative, is_dir)

    async def _run(self) -> None:
        if not self.root.is_dir():
            log.warning("not watching %s: not a folder", self.root)
            self._ready.set()
            return
        try:
            # awatch's first step imports anyio's asyncio backend: 22 ms of CPU on the event loop, at the TUI's
            # ready, beside litellm's load (which imports anyio too). A worker thread imports it first.
            await asyncio.to_thread(_import_anyio_backend)
            watcher = watchfiles.awatch(
                self.root,
                watch_filter=self.accepts,
                stop_event=self._stop,
                debounce=self._debounce_ms,
                step=self._step_ms,
                yield_on_timeout=True,
                rust_timeout=200,
                ignore_permission_denied=True,
            )
            async for changes in watcher:
                self._ready.set()
                for change, path in sorted(changes, key=lambda c: c[1]):
                    self._publish(change, path)
        except Exception:
            # Too many folders for inotify, root removed, …: the app works on without the watcher.
            log.exception("file watcher for %s stopped", self.root)
        finally:
            self._ready.set()

    def _publish(self, change: watchfiles.Change, path: str) -> None:
        if os.path.basename(path) in IGNORE_FILES:  # any folder's ignore file: reread them all
            self._rules = IgnoreRules.load(self.root)
        if os.path.isdir(path):
            return  # folder events add nothing to the file events inside them
        self.bus.publish(FileChanged(path=path, change=_CHANGE_NAMES.get(change, "modified")))


def _import_anyio_backend() -> None:
    for name in ("anyio._backends._asyncio", "anyio.to_thread"):
        importlib.import_module(name)
