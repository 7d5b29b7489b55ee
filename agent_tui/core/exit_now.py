"""Leave the process at once, after everything that matters is stored.

Once a signal has stopped agent-tui and the database is closed, tearing the interpreter down (litellm's modules,
worker threads joined one by one) can take seconds on a busy machine; a supervisor that sent SIGTERM expects
the process to be gone well within its grace period. Output streams and the log are flushed first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys


def exit_now(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(Exception):
        logging.shutdown()
    os._exit(code)
