"""A library loading in a background thread beside a UI, at a lower OS priority than the UI's threads.

Loading litellm is about 2.5 s of CPU in one thread, almost all Python bytecode, beside Textual's input, event
loop and writer threads, which all need a core (and the interpreter lock) for each keystroke's way to the
screen. Nice values are per thread on Linux and, within the process's autogroup, weigh only our own threads
against each other: at nice 10 the loading thread loses a shared core to a UI thread. The thread is also named
for the OS (top -H, /proc/PID/task/*/comm), which is how `benchmarks/terminal.py` tells which keys were typed
while litellm loaded.

Measured and not kept: pausing the load for 25 ms at its next `import` after each keystroke (the front end
signalling every key). Over 6 alternating launches each at load 9, the echo while loading was 172 / 51 / 20 ms
(max / p95 / median) without it and 302 / 46 / 19 ms with it (`benchmarks/echo_ab.py`, benchmarks/README.md):
no gain worth slowing the load while someone types.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

# The loading thread's nice value, above the UI threads' 0.
LOADING_NICE = 10


@contextlib.contextmanager
def in_background(name: str) -> Iterator[None]:
    """The calling thread as a background load: named `name` for the OS and at LOADING_NICE, restored after."""
    with _named(name), _lower_priority():
        yield


@contextlib.contextmanager
def _named(name: str) -> Iterator[None]:
    # Threads started from this one inherit the name (they are the load's own, and end with it).
    with contextlib.suppress(OSError):
        Path(f"/proc/self/task/{threading.get_native_id()}/comm").write_text(name[:15])  # 15: Linux's limit
    yield


@contextlib.contextmanager
def _lower_priority() -> Iterator[None]:
    # Threads started meanwhile inherit the nice value. Going back down needs a privilege an unprivileged user
    # lacks, so the restore may fail: the loading thread ends right after anyway.
    tid = threading.get_native_id()
    try:
        before = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(before, LOADING_NICE))
    except (AttributeError, OSError):  # not Linux, or not allowed: load at the usual priority
        before = None
    try:
        yield
    finally:
        if before is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, tid, before)
