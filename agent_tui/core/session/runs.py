"""Run bookkeeping: one run per session at a time, abort, and stopping every run at shutdown.

A run is held while a turn, a summary, a `!command` or an undo works on a session; `SessionService` owns one
`RunRegistry` and hands its lock out through `_acquire` / `_release`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from agent_tui.core.bus import Bus
from agent_tui.core.events import SessionBusy, SessionIdle
from agent_tui.core.models import AssistantMessage, MessageError
from agent_tui.core.permission import PermissionManager

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 5.0  # seconds for aborted turns to record where they stopped
ABORTED = "Aborted by the user."


class BusyError(Exception):
    """A second run was asked of a session that is already running."""


class ServiceClosed(RuntimeError):
    """A run was asked after shutdown(): its tools, MCP servers and background tasks are gone."""


@dataclass
class Run:
    session_id: str
    abort: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    released: asyncio.Event = field(default_factory=asyncio.Event)


class RunRegistry:
    def __init__(self, bus: Bus, permissions: PermissionManager) -> None:
        self._bus = bus
        self._permissions = permissions
        self._runs: dict[str, Run] = {}
        self._closed = False

    def is_busy(self, session_id: str) -> bool:
        return session_id in self._runs

    def busy_sessions(self) -> list[str]:
        return list(self._runs)

    def acquire(self, session_id: str) -> Run:
        if self._closed:
            raise ServiceClosed("The session service has been shut down.")
        if session_id in self._runs:
            raise BusyError(f"Session {session_id} is already running; wait for it or abort it (Esc).")
        run = Run(session_id)
        self._runs[session_id] = run
        self._bus.publish(SessionBusy(session_id=session_id))
        return run

    def release(self, run: Run) -> None:
        if self._runs.get(run.session_id) is run:
            del self._runs[run.session_id]
        run.released.set()
        self._bus.publish(SessionIdle(session_id=run.session_id))

    def abort(self, session_id: str) -> bool:
        """Stop the running turn: close the stream, cancel tools, refuse pending permission prompts."""
        run = self._runs.get(session_id)
        if run is None:
            return False
        run.abort.set()
        self._permissions.reject_all(session_id)
        if run.task is not None and not run.task.done():
            run.task.cancel()
        return True

    async def close(self, grace: float = SHUTDOWN_GRACE) -> None:
        """Refuse new runs, abort the running ones and give them `grace` seconds to store what they received
        and why they stopped (the caller closes storage next)."""
        self._closed = True
        runs = list(self._runs.values())
        for run in runs:
            self.abort(run.session_id)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(run.released.wait() for run in runs)), grace)

    async def guarded(
        self, run: Run, work: Coroutine[Any, Any, None], assistant: AssistantMessage,
        close_parts: Callable[[str], None], finish: Callable[[AssistantMessage], None],
    ) -> None:
        """Run `work` in its own task so that abort() can cancel it without cancelling our caller. Whatever
        happens, `assistant` ends up with what was received and an error saying why it stopped early."""
        if run.abort.is_set():  # aborted before this work began (while summarising or building the prompt)
            work.close()
            close_parts(ABORTED)
            assistant.error = MessageError(kind="aborted", message=ABORTED)
            return
        run.task = asyncio.ensure_future(work)
        try:
            await run.task
        except asyncio.CancelledError:
            close_parts(ABORTED)
            assistant.error = MessageError(kind="aborted", message=ABORTED)
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                # Our caller is being cancelled (app exit, parent turn aborted): stop the work, keep what we have.
                run.task.cancel()
                with contextlib.suppress(BaseException):
                    await run.task
                finish(assistant)
                raise
        except Exception as exc:  # an engine bug: record it on the message rather than losing the turn
            log.exception("turn failed")
            close_parts(f"Internal error: {exc}")
            assistant.error = MessageError(kind="unknown", message=f"Internal error: {type(exc).__name__}: {exc}")
        finally:
            run.task = None
