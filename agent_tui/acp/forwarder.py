"""Bus events of the sessions the client opened, as ACP session updates, in the order they happened.

Bus handlers are synchronous; notifications are sent by one task reading a queue, so order is kept and a slow
client never blocks the engine. `flush()` waits until everything queued so far has been written: a prompt's
response and a permission request go out only after the updates before them.

Text is sent as what was appended since the last update of that part (the engine's events carry the whole
part), assistant text as `agent_message_chunk`, reasoning as `agent_thought_chunk`, tool parts as `tool_call`
then `tool_call_update`, the todo list as `plan`, a new title as `session_info_update`, the context use and
cost at the end of each reply as `usage_update`. Tool calls of sub-agent sessions (the `task` tool) are shown in
the session that started them; their text is not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from acp.helpers import update_agent_message_text, update_agent_thought_text
from acp.schema import Cost, SessionInfoUpdate, UsageUpdate

from agent_tui.acp import updates
from agent_tui.core.events import MessageUpdated, PartDelta, PartUpdated, SessionUpdated
from agent_tui.core.models import AssistantMessage, ReasoningPart, Session, TextPart, ToolPart

log = logging.getLogger(__name__)

MAX_PARENT_HOPS = 8


class UpdateSink:
    """One ordered outbox of `session/update` notifications for the connection."""

    def __init__(self, send: Callable[[str, Any], Any]) -> None:
        self._send = send
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def put(self, session_id: str, update: Any) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="acp-updates")
        self._queue.put_nowait((session_id, update))

    async def _run(self) -> None:
        while True:
            session_id, update = await self._queue.get()
            try:
                await self._send(session_id, update)
            except Exception:  # the client went away or refused one update: the others still go
                log.warning("acp: session/update failed", exc_info=True)
            finally:
                self._queue.task_done()

    async def flush(self) -> None:
        await self._queue.join()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class Forwarder:
    """Watches one service's bus for the ACP sessions registered with `open`."""

    def __init__(self, bus: Any, storage: Any, directory: Path, sink: UpdateSink,
                 context_size: Callable[[str, str], int] | None = None) -> None:
        self._storage = storage
        self._context_size = context_size  # (provider, model) -> context window, for usage updates
        self._directory = directory
        self._sink = sink
        self._routes: dict[str, str | None] = {}  # our session id -> the ACP session it shows in (None: not shown)
        self._roles: dict[str, str] = {}  # message id -> "user" | "assistant" | "summary"
        self._sent: dict[str, int] = {}  # text/reasoning part id -> characters sent
        self._tools: dict[str, int] = {}  # tool part id -> hash of the last update sent (sent again only if changed)
        self._calls: dict[tuple[str, str], tuple[str, str]] = {}  # (session, call id) -> (part id, tool name)
        self._sessions: dict[str, Session] = {}  # the last state seen of each ACP session (todos, title)
        self._unsubscribe = [
            bus.subscribe(MessageUpdated, self._on_message),
            bus.subscribe(PartUpdated, self._on_part),
            bus.subscribe(PartDelta, self._on_delta),
            bus.subscribe(SessionUpdated, self._on_session),
        ]

    def open(self, session: Session) -> None:
        self._routes[session.id] = session.id
        self._sessions[session.id] = session.model_copy(deep=True)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def route(self, session_id: str) -> str | None:
        """The ACP session in which events of `session_id` are shown: itself, or the one that started it."""
        if session_id in self._routes:
            return self._routes[session_id]
        current, found = session_id, None
        for _ in range(MAX_PARENT_HOPS):
            session = self._storage.get_session(current)
            if session is None or session.parent_id is None:
                break
            current = session.parent_id
            if self._routes.get(current):
                found = self._routes[current]
                break
        self._routes[session_id] = found
        return found

    def tool_call(self, session_id: str, call_id: str | None) -> tuple[str, str] | None:
        """(ACP tool call id, tool name) of one of our calls, for a permission request about it."""
        return self._calls.get((session_id, call_id)) if call_id else None

    # --- handlers -----------------------------------------------------------------------------------------

    def _on_message(self, event: MessageUpdated) -> None:
        message = event.message
        if message.id not in self._roles:
            summary = getattr(message, "summary", False)
            self._roles[message.id] = "summary" if summary else message.role
        if (isinstance(message, AssistantMessage) and message.time.completed is not None
                and self._routes.get(message.session_id) == message.session_id):
            self._usage(message)

    def _usage(self, message: AssistantMessage) -> None:
        """How full the context is after the turn, and the session's cost so far (clients show both)."""
        if self._context_size is None or message.context_tokens <= 0:
            return
        try:
            size = self._context_size(message.provider, message.model)
        except Exception:  # a model no longer in the catalogue: no usage shown, nothing else affected
            log.debug("acp: no context size for %s/%s", message.provider, message.model, exc_info=True)
            return
        session = self._storage.get_session(message.session_id)
        cost = Cost(amount=float(session.cost), currency="USD") if session is not None else None
        self._sink.put(message.session_id, UsageUpdate(session_update="usage_update", used=message.context_tokens,
                                                       size=max(size, message.context_tokens), cost=cost))

    def _on_part(self, event: PartUpdated) -> None:
        part = event.part
        target = self.route(part.session_id)
        if target is None:
            return
        if isinstance(part, ToolPart):
            self._on_tool(target, part)
            return
        if part.session_id != target or self._roles.get(part.message_id) != "assistant":
            return  # the user's own prompt, a summary, or a sub-agent's text
        if isinstance(part, TextPart | ReasoningPart):
            # Streamed text comes as deltas (`_on_delta`); this sends what they did not (a part published whole).
            self._send_text(target, part.id, part.type, part.text, 0)
            if part.time_end is not None:
                self._sent.pop(part.id, None)

    def _on_delta(self, event: PartDelta) -> None:
        target = self.route(event.session_id)
        if target is None or event.session_id != target or self._roles.get(event.message_id) != "assistant":
            return
        self._send_text(target, event.part_id, event.part_type, event.delta, event.offset)

    def _send_text(self, target: str, part_id: str, kind: str, text: str, offset: int) -> None:
        """Send the characters of `text` (which starts at `offset` in the part's text) not sent yet."""
        sent = self._sent.get(part_id, 0)
        if offset > sent or offset + len(text) <= sent:
            return  # a gap (the next whole part fills it) or nothing new
        make = update_agent_message_text if kind == "text" else update_agent_thought_text
        self._sink.put(target, make(text[sent - offset:]))
        self._sent[part_id] = offset + len(text)

    def _on_tool(self, target: str, part: ToolPart) -> None:
        self._calls[(part.session_id, part.call_id)] = (part.id, part.tool)
        previous = self._tools.get(part.id)
        if previous is None:
            update: Any = updates.start_call(part, self._directory)
        else:
            update = updates.update_call(part, self._directory)
        signature = hash(update.model_dump_json(exclude={"session_update"}))
        if signature == previous:
            return
        self._tools[part.id] = signature
        self._sink.put(target, update)

    def _on_session(self, event: SessionUpdated) -> None:
        session = event.session
        if self._routes.get(session.id) != session.id:
            return
        before = self._sessions.get(session.id)
        self._sessions[session.id] = session
        if before is not None and before.todos != session.todos:
            self._sink.put(session.id, updates.plan(session.todos))
        if before is not None and before.title != session.title:
            self._sink.put(session.id, SessionInfoUpdate(session_update="session_info_update", title=session.title))
