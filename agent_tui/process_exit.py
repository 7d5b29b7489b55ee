"""The process ends quietly when stdout's reader has gone.

With a closed pipe (`agent-tui sessions list | head -1`) Python, which ignores SIGPIPE, raises BrokenPipeError
on the next write, and the flush at exit raises again and prints "Exception ignored". The command's output is of
no use to anyone then: stdout is pointed at /dev/null (so the final flush cannot fail) and the process ends with
the status a shell shows for SIGPIPE, as `yes | head -1` does. This is the recipe of the Python docs
(library/signal, "Note on SIGPIPE").
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

SIGPIPE_STATUS = 128 + signal.SIGPIPE  # 141


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout to redirect
        pass


def quiet_on_broken_pipe(command: Callable[[], int]) -> int:
    """Run `command`; if stdout's reader goes away, end quietly with the SIGPIPE status."""
    try:
        try:
            status = command()
        except SystemExit as done:  # argparse's --help and --version, and usage errors
            sys.stdout.flush()
            raise done
        sys.stdout.flush()  # inside the try: a failing flush at interpreter exit would print a warning
        return status
    except BrokenPipeError:
        _silence_stdout()
        return SIGPIPE_STATUS

