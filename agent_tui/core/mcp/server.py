"""One MCP server: its connection, its state and the calls sent to it.

The SDK's context managers (transport, client) open anyio task groups and cancel scopes that must be entered and
left by the same task, so each server lives in one long-lived asyncio task that owns the whole connection.
Callers never touch the SDK: `call()` queues a request and waits for its future, and the owner task runs the
call in a child task. Every way a connection can end (a crash, garbage on the wire, a call that never returns,
shutdown) ends that one task through its cancel scope; a caller only ever sees `McpCallError`.

Neither the SDK nor anyio is imported at module level: the owner task loads them in a worker thread.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from agent_tui.core.config import McpLocal, McpRemote
from agent_tui.core.mcp.errors import McpCallError, McpStartError, describe_error
from agent_tui.core.mcp.logfile import last_line, open_log
from agent_tui.core.mcp.status import McpToolSpec, ServerState

if TYPE_CHECKING:
    import anyio

log = logging.getLogger(__name__)

STOP_TIMEOUT = 10.0  # the SDK bounds its own stdio shutdown (about 6 s at worst); this only guards against bugs
_TOOL_LIST_PAGES = 100  # a server whose pagination never ends cannot hang the start-up


@dataclass(eq=False)
class _Call:
    tool: str
    arguments: dict[str, Any]
    timeout: float
    future: asyncio.Future[Any]
    scope: anyio.CancelScope | None = field(default=None)

    def reject(self, message: str) -> None:
        if not self.future.done():
            self.future.set_exception(McpCallError(message))


class McpConnection:
    """The connection to one configured server. Create, `start()`, `call()`, `stop()`."""

    def __init__(
        self,
        name: str,
        config: McpLocal | McpRemote,
        *,
        log_path: Path,
        cwd: Path | None,
        startup_timeout: float,
        on_change: Callable[[McpConnection], None],
    ) -> None:
        self.name = name
        self.config = config
        self.log_path = log_path
        self.status: ServerState = "starting" if config.enabled else "disabled"
        self.error: str | None = None
        self.tools: list[McpToolSpec] = []
        self._cwd = cwd
        self._startup_timeout = startup_timeout
        self._on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[_Call] = asyncio.Queue()
        self._pending: set[_Call] = set()
        self._scope: anyio.CancelScope | None = None
        self._stopping = False
        self._settled = asyncio.Event()
        self._tools_changed: asyncio.Event = asyncio.Event()
        if not config.enabled:
            self._settled.set()

    # --- public ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start connecting in the background; returns at once. Needs a running event loop."""
        if self.status != "starting" or self._task is not None:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"mcp server {self.name}")
        self._on_change(self)

    async def wait_settled(self) -> None:
        """Until the server is ready, failed, stopped or disabled."""
        await self._settled.wait()

    async def call(self, tool: str, arguments: dict[str, Any], *, time_limit: float | None = None) -> Any:
        """Call `tool` and return the SDK's `CallToolResult`. Raises `McpCallError` with a message for the model."""
        if self.status != "ready":
            raise McpCallError(self._unavailable())
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        call = _Call(tool, arguments, time_limit if time_limit is not None else self.config.timeout, future)
        self._pending.add(call)
        self._queue.put_nowait(call)
        try:
            return await future
        except asyncio.CancelledError:
            if call.scope is not None:  # the caller gave up (abort): stop the call on the server too
                call.scope.cancel()
            raise
        finally:
            self._pending.discard(call)

    async def stop(self) -> None:
        """Close the connection and end the server process. Never raises."""
        self._stopping = True
        if self._scope is not None:
            self._scope.cancel()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
            except TimeoutError:
                log.warning("MCP server %s did not stop within %s s; cancelling its task", self.name, STOP_TIMEOUT)
                task.cancel()
            except Exception:
                log.exception("MCP server %s: error while stopping", self.name)
        self._finish()

    # --- the owner task -------------------------------------------------------------------------------------

    async def _run(self) -> None:
        errlog: TextIO | None = None
        deadline: asyncio.TimerHandle | None = None
        try:
            # The SDK costs about a second to import: never on the event loop's thread.
            transport = await asyncio.to_thread(importlib.import_module, "agent_tui.core.mcp.transport")
            import anyio

            errlog = open_log(self.log_path, f"starting {self._describe_target()}")
            # A timer rather than `anyio.fail_after`: the scope of the deadline would have to enclose the SDK's
            # context managers, which stay open long after the start-up.
            deadline = asyncio.get_running_loop().call_later(self._startup_timeout, self._startup_timed_out)
            with anyio.CancelScope() as scope:
                self._scope = scope
                if self._stopping:
                    scope.cancel()
                await self._connect_and_serve(transport, errlog)
        except McpStartError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.warning("MCP server %s: connection ended by an error", self.name, exc_info=True)
            self._fail(describe_error(exc))
        finally:
            if deadline is not None:
                deadline.cancel()
            self._scope = None
            if errlog is not None:
                errlog.close()
            self._finish()

    async def _connect_and_serve(self, transport: ModuleType, errlog: TextIO) -> None:
        import anyio

        async with AsyncExitStack() as stack:
            # A local server's stdout carries only MCP messages, so garbage fails it even during the handshake;
            # a remote connection may see errors while it falls back from streamable HTTP to SSE.
            watch = transport.StreamWatch(self._fail, armed=isinstance(self.config, McpLocal))
            if isinstance(self.config, McpLocal):
                client = await transport.connect_local(
                    stack, self.config, errlog=errlog, cwd=self._cwd, watch=watch, message_handler=self._on_message
                )
            else:
                client = await transport.connect_remote(
                    stack, self.config, watch=watch, message_handler=self._on_message
                )
            self.tools = await self._list_tools(client)
            watch.armed = True
            self._set("ready")
            self._settled.set()
            async with anyio.create_task_group() as group:
                group.start_soon(self._refresh_tools_on_change, client)
                while True:
                    call = await self._queue.get()
                    group.start_soon(self._serve_call, client, call, transport)

    async def _serve_call(self, client: Any, call: _Call, transport: ModuleType) -> None:
        import anyio

        if call.future.done():  # the caller gave up before the call was sent
            return
        with anyio.CancelScope() as scope:
            call.scope = scope
            try:
                result = await client.call_tool(call.tool, call.arguments, read_timeout_seconds=call.timeout)
            except transport.MCPError as exc:
                if exc.code == transport.REQUEST_TIMEOUT:
                    self._fail(f"no answer to '{call.tool}' within {call.timeout:g} s")
                elif exc.code == transport.PARSE_ERROR:  # our side could not parse the answer
                    self._fail(f"sent an invalid answer to '{call.tool}': {exc.error.message}")
                elif self.status == "ready":  # a refusal of this call (unknown tool, bad arguments): the server is fine
                    call.reject(f"MCP server '{self.name}' rejected the call to '{call.tool}': {exc.error.message}")
            except Exception as exc:  # an answer that is not a tool result
                self._fail(f"sent an invalid answer to '{call.tool}': {describe_error(exc)}")
            else:
                if not call.future.done():
                    call.future.set_result(result)
        call.reject(self._unavailable())  # only if nothing above settled it (e.g. cancelled by a failure)

    async def _list_tools(self, client: Any) -> list[McpToolSpec]:
        specs: list[McpToolSpec] = []
        cursor: str | None = None
        for _ in range(_TOOL_LIST_PAGES):
            page = await client.list_tools(cursor=cursor, cache_mode="bypass")
            specs += [
                McpToolSpec(name=t.name, description=t.description, input_schema=dict(t.input_schema),
                            read_only=getattr(t.annotations, "read_only_hint", None) is True)
                for t in page.tools
            ]
            cursor = page.next_cursor
            if not cursor:
                break
        return specs

    async def _on_message(self, message: Any) -> None:
        # Exceptions (garbage) were already reported by the stream watch; only the tool-list change matters here.
        if getattr(message, "method", None) == "notifications/tools/list_changed":
            self._tools_changed.set()

    async def _refresh_tools_on_change(self, client: Any) -> None:
        while True:
            await self._tools_changed.wait()
            self._tools_changed.clear()
            try:
                self.tools = await self._list_tools(client)
            except Exception as exc:
                self._fail(f"cannot list its tools after they changed: {describe_error(exc)}")
                return
            self._set("ready")

    def _startup_timed_out(self) -> None:
        if self.status == "starting":
            self._fail(f"did not start within {self._startup_timeout:g} s")

    # --- state ----------------------------------------------------------------------------------------------

    def _set(self, status: ServerState) -> None:
        self.status = status
        try:
            self._on_change(self)
        except Exception:
            log.exception("MCP status listener failed")

    def _fail(self, reason: str) -> None:
        """Mark the server failed, withdraw its tools, fail its calls, and end the connection. Idempotent."""
        if self._stopping or self.status not in ("starting", "ready"):
            return
        if isinstance(self.config, McpLocal) and "closed the connection" in reason:
            stderr = last_line(self.log_path)
            if stderr:
                reason += f" (last stderr line: {stderr})"
        self.error = reason
        self.tools = []
        self._set("failed")
        self._settled.set()
        for call in list(self._pending):
            call.reject(f"MCP server '{self.name}' failed: {reason}")
        if self._scope is not None:
            self._scope.cancel()

    def _finish(self) -> None:
        if self.status in ("starting", "ready"):
            self.tools = []
            self._set("stopped")
        for call in list(self._pending):
            call.reject(self._unavailable())
        self._settled.set()

    def _unavailable(self) -> str:
        if self._stopping:
            return f"MCP server '{self.name}' was stopped."
        if self.status == "failed":
            return f"MCP server '{self.name}' failed: {self.error}"
        if self.status == "starting":
            return f"MCP server '{self.name}' is still starting; try again shortly."
        return f"MCP server '{self.name}' is {self.status}."

    def _describe_target(self) -> str:
        if isinstance(self.config, McpLocal):
            return "command: " + " ".join(self.config.command)
        return f"url: {self.config.url}"

