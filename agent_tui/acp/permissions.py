"""Every "ask" our permission rules produce, as `session/request_permission` to the client.

The options are our three answers: allow once, always allow (what "always" would remember, named in the
label), reject. A cancelled request (the client's answer after `session/cancel`) or a failed one is a rejection,
so a turn never waits on a question nobody will answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from acp.schema import AllowedOutcome, PermissionOption, ToolCallLocation, ToolCallUpdate

from agent_tui.acp import updates
from agent_tui.acp.forwarder import Forwarder, UpdateSink
from agent_tui.core.events import PermissionAsked

log = logging.getLogger(__name__)

ALLOW_ONCE, ALLOW_ALWAYS, REJECT = "allow_once", "allow_always", "reject_once"
REPLIES = {ALLOW_ONCE: "once", ALLOW_ALWAYS: "always", REJECT: "reject"}


def options(event: PermissionAsked) -> list[PermissionOption]:
    always = f"Always allow {event.pattern}" if event.pattern else "Always allow in this session"
    return [
        PermissionOption(option_id=ALLOW_ONCE, name="Allow once", kind="allow_once"),
        PermissionOption(option_id=ALLOW_ALWAYS, name=always[:120], kind="allow_always"),
        PermissionOption(option_id=REJECT, name="Reject", kind="reject_once"),
    ]


def tool_call_for(event: PermissionAsked, call: tuple[str, str] | None, directory: Path) -> ToolCallUpdate:
    tool_call_id, tool = call if call is not None else (f"permission-{event.id}", event.permission)
    content = updates.diff_content(event.metadata, directory) if event.permission == "edit" else []
    path = event.metadata.get("path")
    return ToolCallUpdate(
        tool_call_id=tool_call_id, title=event.title, kind=updates.tool_kind(tool), status="pending",
        content=content or None,
        locations=[ToolCallLocation(path=path)] if isinstance(path, str) else None,
        raw_input={"permission": event.permission, "command": event.metadata.get("command")}
        if event.permission == "bash" else None,
    )


class PermissionBridge:
    def __init__(
        self, bus: Any, reply: Callable[[str, str], None], forwarder: Forwarder, sink: UpdateSink,
        request: Callable[..., Any], directory: Path,
    ) -> None:
        self._reply = reply
        self._forwarder = forwarder
        self._sink = sink
        self._request = request
        self._directory = directory
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe = bus.subscribe(PermissionAsked, self._on_ask)

    def close(self) -> None:
        self._unsubscribe()
        for task in self._tasks:
            task.cancel()

    def _on_ask(self, event: PermissionAsked) -> None:
        target = self._forwarder.route(event.session_id)
        if target is None:
            log.warning("acp: permission %s for a session the client did not open; refused", event.id)
            self._reply(event.id, "reject")
            return
        task = asyncio.get_running_loop().create_task(self._ask(event, target))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ask(self, event: PermissionAsked, target: str) -> None:
        reply = "reject"
        try:
            await self._sink.flush()  # the client hears of the tool call before it is asked about it
            call = self._forwarder.tool_call(event.session_id, event.call_id)
            response = await self._request(
                session_id=target, tool_call=tool_call_for(event, call, self._directory), options=options(event)
            )
            outcome = response.outcome
            if isinstance(outcome, AllowedOutcome):
                reply = REPLIES.get(outcome.option_id, "reject")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("acp: session/request_permission failed; treated as a rejection", exc_info=True)
        self._reply(event.id, reply)
