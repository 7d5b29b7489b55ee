"""Files and commands through the client, when its `initialize` capabilities offer them.

`fs/read_text_file` returns what the editor holds (unsaved changes included) and `fs/write_text_file` lets the
editor apply the change; a capability the client lacks falls back to the disk. `terminal/*` runs `bash` in a
terminal the user sees in the editor; without it our own process runs it. Errors become ToolError for the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from acp.schema import ClientCapabilities, EnvVariable

from agent_tui.core.fileio import atomic_write
from agent_tui.core.tools.access import CommandOutcome, ToolAccess
from agent_tui.core.tools.base import ToolError

log = logging.getLogger(__name__)

OUTPUT_BYTE_LIMIT = 1_000_000
KILL_WAIT = 5.0  # seconds to wait for a killed command to be reported gone


def _describe(exc: Exception) -> str:
    data = getattr(exc, "data", None)
    details = data.get("details") if isinstance(data, dict) else None
    return f"{exc}{f' ({details})' if details else ''}"


class ClientFiles:
    def __init__(self, conn: Any, session_id: str, *, read: bool, write: bool) -> None:
        self._conn, self._session_id, self._read, self._write = conn, session_id, read, write

    async def read_text(self, path: Path) -> str:
        if not self._read:
            return await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")
        try:
            response = await self._conn.read_text_file(session_id=self._session_id, path=str(path))
        except Exception as exc:
            raise ToolError(f"The editor could not read {path}: {_describe(exc)}") from exc
        return response.content

    async def write_text(self, path: Path, content: str) -> None:
        if not self._write:
            await asyncio.to_thread(atomic_write, path, content)
            return
        try:
            await self._conn.write_text_file(session_id=self._session_id, path=str(path), content=content)
        except Exception as exc:
            raise ToolError(f"The editor could not write {path}: {_describe(exc)}") from exc


class ClientTerminal:
    def __init__(self, conn: Any, session_id: str) -> None:
        self._conn, self._session_id = conn, session_id

    async def run(
        self, command: str, *, cwd: Path, env: dict[str, str], time_limit: float, abort: asyncio.Event,
        started: Callable[[str], None],
    ) -> CommandOutcome:
        conn, sid = self._conn, self._session_id
        try:
            created = await conn.create_terminal(
                session_id=sid, command="bash", args=["-c", command], cwd=str(cwd),
                env=[EnvVariable(name=k, value=v) for k, v in env.items()], output_byte_limit=OUTPUT_BYTE_LIMIT,
            )
        except Exception as exc:
            raise ToolError(f"The editor could not start a terminal: {_describe(exc)}") from exc
        terminal_id = created.terminal_id
        started(terminal_id)
        timed_out = aborted = False
        try:
            exit_wait = asyncio.ensure_future(conn.wait_for_terminal_exit(session_id=sid, terminal_id=terminal_id))
            abort_wait = asyncio.ensure_future(abort.wait())
            try:
                done, _ = await asyncio.wait({exit_wait, abort_wait}, timeout=time_limit,
                                             return_when=asyncio.FIRST_COMPLETED)
            finally:
                abort_wait.cancel()
            if exit_wait not in done:
                aborted, timed_out = abort_wait in done, abort_wait not in done
                await conn.kill_terminal(session_id=sid, terminal_id=terminal_id)
                await asyncio.wait({exit_wait}, timeout=KILL_WAIT)
            if not exit_wait.done():
                exit_wait.cancel()
            output = await conn.terminal_output(session_id=sid, terminal_id=terminal_id)
        except asyncio.CancelledError:
            await asyncio.shield(self._kill(terminal_id))
            raise
        except ToolError:
            raise
        except Exception as exc:
            raise ToolError(f"The editor's terminal failed: {_describe(exc)}") from exc
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.release_terminal(session_id=sid, terminal_id=terminal_id))
        status = output.exit_status
        return CommandOutcome(
            output=output.output, exit_code=status.exit_code if status else None,
            signal=status.signal if status else None, truncated=output.truncated, timed_out=timed_out,
            aborted=aborted,
        )

    async def _kill(self, terminal_id: str) -> None:
        with contextlib.suppress(Exception):
            await self._conn.kill_terminal(session_id=self._session_id, terminal_id=terminal_id)


class ClientAccess:
    """The service's AccessProvider: the client's files and terminals for sessions it opened (and their
    sub-agents); nothing for any other session."""

    def __init__(self, conn: Any, capabilities: ClientCapabilities | None, route: Callable[[str], str | None]) -> None:
        self._conn = conn
        caps = capabilities or ClientCapabilities()
        self._read = bool(caps.fs and caps.fs.read_text_file)
        self._write = bool(caps.fs and caps.fs.write_text_file)
        self._terminal = bool(caps.terminal)
        self._route = route

    def for_session(self, session_id: str) -> ToolAccess:
        target = self._route(session_id)
        if target is None:
            return ToolAccess()
        files = ClientFiles(self._conn, target, read=self._read, write=self._write) if self._read or self._write \
            else None
        return ToolAccess(files=files, commands=ClientTerminal(self._conn, target) if self._terminal else None)
