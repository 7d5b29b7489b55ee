"""SIGTERM and SIGHUP end the TUI the way quitting does: running turns are aborted (their tools' process groups
killed), what arrived is stored, MCP servers are closed, and Textual leaves the alternate screen and turns mouse
tracking off before the process exits 0. Without this the default action kills the process at once and leaves
the terminal unusable.
"""

from __future__ import annotations

import asyncio
import logging
import signal
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

    def remove() -> None:
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)

    return remove
