"""Giving memory that nothing uses any more back to the system: after litellm's warm-up, the first turn, a long paste.

Two things keep such memory in the process:

- **Source lines read for tracebacks.** litellm formats a traceback (`traceback.format_exc()`) on every failed
  call (the warm-up's refused calls included) and for every reply it cannot price (any model missing from its
  price list), for debug records we never log. Formatting reads the whole source file of every frame into
  `linecache`, which keeps it for the life of the process: 2–3 MB of litellm's source after the warm-up, more
  after the first reply. `linecache.clearcache()` drops them; a later traceback reads them again.
- **Freed heap glibc keeps.** Sending a 100,000-line paste builds several short-lived copies of it (the request
  body, the HTTP buffers, the rows read back from SQLite), the warm-up and the first turn free a few MB of
  one-time set-up. glibc keeps most of it for later instead of returning it, so the process stayed about 20 MB
  larger after a paste although nothing held the text any more (benchmarks/long_paste.py, and 2–3 MB after the
  warm-up and the first turn: benchmarks/first_send_memory.py). `malloc_trim(0)` hands it back; it takes a few
  milliseconds. Other C libraries (musl, macOS) have no such call: nothing is done there.
"""

from __future__ import annotations

import linecache
import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # here, not at the top: ctypes.util costs milliseconds before the TUI's first frame
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def give_back_free_memory() -> None:
    """Drop cached source lines, then return the C heap's free pages to the system (thread-safe)."""
    linecache.clearcache()
    trim = _malloc_trim()
    if trim is not None:
        try:
            trim(0)
        except OSError as exc:  # never a reason to disturb the app
            log.debug("malloc_trim failed: %s", exc)
