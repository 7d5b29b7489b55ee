"""One writer at a time per file: the tool calls of a step run concurrently, and two edits of the same file must
both land. Each edit holds its file's lock from reading it to writing it, so the second one reads the first one's
result instead of overwriting it with a stale copy.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

# Weak: a lock lives as long as someone holds or waits for it, so the table never grows with every file touched.
_locks: weakref.WeakValueDictionary[Path, asyncio.Lock] = weakref.WeakValueDictionary()


def _lock_for(path: Path) -> asyncio.Lock:
    lock = _locks.get(path)
    if lock is None:
        lock = asyncio.Lock()
        _locks[path] = lock
    return lock


@asynccontextmanager
async def locked(*paths: Path) -> AsyncIterator[None]:
    """Hold the locks of `paths` (resolved, so a symlink and its target share one), taken in a fixed order so
    that two patches touching the same files cannot deadlock."""
    resolved = sorted({path.resolve() for path in paths})
    async with AsyncExitStack() as stack:
        for path in resolved:
            await stack.enter_async_context(_lock_for(path))
        yield
