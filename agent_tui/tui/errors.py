"""Errors inside the UI are logged and shown as a toast; they never take the app down.

Textual routes every unexpected exception (a handler, a timer, a render, a worker started with
`exit_on_error=True`) to `App._handle_exception`, which exits the app. Worse, when a message handler raises,
the message loop of the widget that ran it stops for good (`MessagePump._process_messages_loop` breaks after
reporting), leaving a widget that never handles another event. So two pieces:

- `InternalErrors` takes what `AgentApp._handle_exception` receives once the app is on screen: it writes the
  traceback to the log (secrets redacted there), shows one error toast per distinct error (a render fault that
  repeats every frame would flood the screen otherwise) and keeps the errors for tests to check.
- `GuardedPump` is mixed into our app, screens and widgets: it catches a handler's exception inside
  `_dispatch_message`, before the loop sees it, and hands it to the same place, so the widget stays alive.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger("agent_tui.tui.errors")

REPEAT_QUIET_SECONDS = 10.0  # the same error again within this time is logged briefly, not shown again


class InternalErrors:
    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._last_shown: dict[tuple[str, str], float] = {}
        self.errors: list[BaseException] = []  # every error reported, for tests

    def report(self, error: BaseException) -> None:
        self.errors.append(error)
        key = (type(error).__name__, str(error))
        now = time.monotonic()
        last = self._last_shown.get(key)
        if last is not None and now - last < REPEAT_QUIET_SECONDS:
            log.warning("internal error again: %s: %s", *key)
            return
        self._last_shown[key] = now
        log.error("internal error in the UI (the app goes on)", exc_info=error)
        summary = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if len(summary) > 200:
            summary = summary[:199] + "…"
        try:
            self._app.notify(f"{summary}\nThe app goes on; the details are in the log.",
                             title="Something went wrong", severity="error", timeout=10)
        except Exception:  # no screen to show it on (shutting down): the log has it
            log.debug("could not show the internal error", exc_info=True)


class GuardedPump:
    """Mixin for a Textual App, Screen or Widget: an exception in one of its handlers is reported, not fatal."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as error:
            app = self.app  # type: ignore[attr-defined]
            report = getattr(app, "report_internal_error", None)
            if report is None or not app.is_running:
                raise
            report(error)
