"""The TUI's full garbage-collector passes, run when it is idle instead of in the middle of a reply.

The policy is `agent_tui.core.collector`; this module only says when the app is idle: after each turn, once the
reply's last frame is on screen and no other session is running, and now and then during long runs of turns.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from agent_tui.core import collector

if TYPE_CHECKING:
    from textual.timer import Timer

    from agent_tui.tui.app import AgentApp

log = logging.getLogger(__name__)

# While turns run back to back or one turn of tool calls lasts minutes, there is no idle moment: a one-shot timer,
# armed when a turn starts and stopped when it ends, runs a pass anyway after this long. (An idle app runs no
# timers at all: tests/tui/test_app_idle.py.)
BUSY_LIMIT_SECONDS = 300.0


class IdleCollection:
    def __init__(self, app: AgentApp) -> None:
        self._app = app
        self.passes: list[collector.IdlePass] = []  # the latest few, for tests and diagnostics
        self._started = False
        self._busy_timer: Timer | None = None

    def start(self) -> None:
        """Take over full passes (the app calls this once its first frame is up)."""
        if self._started:
            return
        self._started = True
        collector.collect_less_often()
        collector.defer_full_passes()

    def stop(self) -> None:
        """Give full passes back to the interpreter (the app is closing; several apps in one test process)."""
        self._stop_busy_timer()
        if self._started:
            self._started = False
            collector.restore_full_passes()

    def turn_started(self) -> None:
        if self._started and self._busy_timer is None:
            self._busy_timer = self._app.set_timer(BUSY_LIMIT_SECONDS, self._still_busy, name="gc while busy")

    def after_turn(self) -> None:
        """A turn ended: collect once its last frame is painted, unless another turn still runs."""
        if self._started:
            self._app.call_after_refresh(self._collect_if_idle)

    def _still_busy(self) -> None:
        self._busy_timer = None
        if not self._started:
            return
        if collector.seconds_since_idle_pass() >= BUSY_LIMIT_SECONDS:
            self._collect()
        if self._app.service.busy_sessions():
            self.turn_started()

    def _stop_busy_timer(self) -> None:
        if self._busy_timer is not None:
            self._busy_timer.stop()
            self._busy_timer = None

    def _collect_if_idle(self) -> None:
        if not self._started or self._app.service.busy_sessions():
            return
        self._stop_busy_timer()
        self._collect()

    def _collect(self) -> None:
        done = collector.collect_at_idle()
        if done is not None:
            self.passes = [*self.passes[-9:], done]
            log.debug("idle gc pass: %s", done)
