"""Giving freed memory back to the system after a long paste was sent.

Sending a 100,000-line paste builds several short-lived copies of it (the request body, the HTTP buffers, the
rows read back from SQLite). Once they are freed, glibc keeps most of that memory for later instead of returning
it, so the process stayed about 20 MB larger than before the paste although nothing held the text any more
(benchmarks/long_paste.py measures it). `malloc_trim(0)` hands it back; it takes a few milliseconds and is only
called after a turn that carried a paste. Other C libraries (musl, macOS) have no such call: nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def give_back_free_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        try:
            trim(0)
        except OSError as exc:  # never a reason to disturb the app
            log.debug("malloc_trim failed: %s", exc)
