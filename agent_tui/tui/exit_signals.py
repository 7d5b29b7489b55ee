"""SIGTERM and SIGHUP end the TUI the way quitting does: running turns are aborted (their tools' process groups
killed), what arrived is stored, MCP servers are closed, and Textual leaves the alternate screen and turns mouse
tracking off before the process exits 0. Without this the default action kills the process at once and leaves
the terminal unusable.

A terminal that goes away without a SIGHUP reaching us (a tmux pane killed, a process outside the terminal's
session) is treated as a hangup too: its input reports POLLHUP. Textual's input thread would otherwise read EOF
from the dead pty in a loop, at a fifth of a core, forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import signal
import sys
import threading
from collections.abc import Awaitable, Callable

from textual.app import App

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def install_exit_signals(app: App[object], quit_app: Callable[[], Awaitable[None]]) -> Callable[[], None]:
    """Handle SIGTERM/SIGHUP with `quit_app`; returns a function that restores the default handlers."""
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def on_signal(sig: int) -> None:
        received.append(sig)
        if len(received) > 1:
            return  # already quitting
        log.info("%s received: quitting", signal.Signals(sig).name)
        app.stopped_by_signal = sig  # type: ignore[attr-defined]
        app.run_worker(quit_app(), name="quit on signal", exit_on_error=False)

    for sig in SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)

    def hung_up() -> None:
        with contextlib.suppress(RuntimeError):  # the loop already closed: the app is gone anyway
            loop.call_soon_threadsafe(on_signal, signal.SIGHUP)

    stop_watching = watch_terminal(hung_up)

    def remove() -> None:
        stop_watching.set()
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)

    return remove


def watch_terminal(hung_up: Callable[[], None], fd: int | None = None) -> threading.Event:
    """Call `hung_up` (from a thread) once the terminal on `fd` (stdin) hangs up. Set the returned event to stop
    watching. Nothing is watched when `fd` is not a terminal (a pipe's EOF is not ours to judge)."""
    stop = threading.Event()
    if fd is None:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
    if fd < 0 or not os.isatty(fd):
        return stop

    def watch() -> None:
        poller = select.poll()
        poller.register(fd, 0)  # no input events: it only reports POLLHUP/POLLERR/POLLNVAL, and reads nothing
        while not stop.is_set():
            if poller.poll(500):
                if not stop.is_set():
                    log.info("the terminal hung up: quitting")
                    hung_up()
                return

    threading.Thread(target=watch, name="terminal-hangup", daemon=True).start()
    return stop
