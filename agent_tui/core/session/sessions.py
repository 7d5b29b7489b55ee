"""SessionService's session records: create, find, rename, fork, delete, read the history, the agent and todos.

A base class of the service (as snapshot/facade.py is for undo), so the service file stays a thin list of concerns
and callers keep calling `service.create(...)`, `service.fork(...)` and the rest.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING

from agent_tui.core.events import SessionDeleted, SessionUpdated
from agent_tui.core.models import AssistantMessage, MessageWithParts, Session, Todo, now_ms
from agent_tui.core.session.costs import CostReport, cost_report
from agent_tui.core.session.fork import copy_history
from agent_tui.core.session.recovery import close_crashed_turn

if TYPE_CHECKING:
    from agent_tui.core.agents import AgentDefinition, AgentRegistry
    from agent_tui.core.bus import Bus
    from agent_tui.core.permission import PermissionManager
    from agent_tui.core.project import Project
    from agent_tui.core.session.runs import RunRegistry
    from agent_tui.core.session.writer import RecordWriter
    from agent_tui.core.storage import Storage
    from agent_tui.core.tools.base import FileTimes


# How long a delete or fork asked for in the UI waits for another process's lock before saying it cannot: long
# enough for another agent-tui's writes (milliseconds), short enough not to be felt.
WAIT_BRIEFLY = 0.1


class SessionNotFound(KeyError):
    pass


class SessionRecords:
    # Provided by SessionService.
    project: Project
    storage: Storage
    bus: Bus
    agents: AgentRegistry
    permissions: PermissionManager
    runs: RunRegistry
    _writer: RecordWriter
    _file_times: dict[str, FileTimes]

    def abort(self, session_id: str) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def create(self, title: str | None = None, parent_id: str | None = None, agent: str | None = None, *,
               wait: bool = True) -> Session:
        """A new session; `agent` (checked: UnknownAgent) is the agent its turns run with. With `wait` (the
        command line) a locked database is waited for and raises StorageError; without (the UI, a turn's
        sub-agent) it goes through the writer: kept in memory, listed and found by `get`, written when it can be."""
        if agent is not None:
            self.agents.get(agent)
        session = Session(project_id=self.project.id, directory=str(self.project.directory), parent_id=parent_id,
                          agent=agent)
        if title:
            session.title = title
            session.title_generated = True
        if wait:
            self.storage.put_session(session)
            self.bus.publish(SessionUpdated(session=session.model_copy(deep=True)))
        else:
            self._writer.session(session)  # stored, or kept and retried while another process holds the lock
        return session

    def get(self, session_id: str) -> Session | None:
        return self._writer.pending_session(session_id) or self.storage.get_session(session_id)

    def _require(self, session_id: str) -> Session:
        session = self.get(session_id)
        if session is None:
            raise SessionNotFound(f"No session {session_id}")
        return session

    def list(self, limit: int = 100, offset: int = 0) -> list[Session]:
        stored = self.storage.list_sessions(self.project.id, limit=limit, offset=offset)
        pending = {s.id: s for s in self._writer.pending_sessions()
                   if s.project_id == self.project.id and s.parent_id is None}
        if not pending:
            return stored
        newer = [pending.pop(s.id, s) for s in stored]
        if offset == 0:  # not yet in the database at all: new sessions, the newest, on the first page
            newer += pending.values()
        return sorted(newer, key=lambda s: (-s.time.updated, s.id))[:limit]

    def search(self, text: str) -> list[Session]:
        return self.storage.search_sessions(self.project.id, text) if text.strip() else self.list()

    def _touch(self, session: Session) -> Session:
        session.time.updated = now_ms()
        self._writer.session(session)  # stored (or kept until the database can be written) and published
        return session

    def agent_for(self, session_id: str | None) -> AgentDefinition:
        """The agent the session's next turn runs with (the default when it has none or its file is gone)."""
        session = self.get(session_id) if session_id else None
        return self.agents.find(session.agent if session else None) or self.agents.default()

    def set_agent(self, session_id: str, name: str) -> Session:
        """Store the agent the session's turns run with from now on. Raises UnknownAgent."""
        agent = self.agents.get(name)
        session = self._require(session_id)
        session.agent = agent.name
        return self._touch(session)

    def rename(self, session_id: str, new_title: str) -> Session:
        session = self._require(session_id)
        session.title = new_title.strip() or session.title
        session.title_generated = True
        return self._touch(session)

    def delete(self, session_id: str, *, wait: bool = True) -> None:
        """Delete the session and its sub-agent sessions. Without `wait` (the UI) a database locked by another
        process raises StorageError at once (WAIT_BRIEFLY) and nothing is changed."""
        deleted: list[str] = []
        pending = [session_id]
        while pending:  # with its sub-agent sessions, which the storage deletes too
            deleted.append(pending.pop())
            pending.extend(child.id for child in self.storage.children(deleted[-1]))
            pending.extend(s.id for s in self._writer.pending_sessions() if s.parent_id == deleted[-1])
        with nullcontext() if wait else self.storage.no_wait(WAIT_BRIEFLY):
            self.storage.delete_session(session_id)  # first: if it fails, the run and its records go on
        self._writer.forget(deleted)
        if self.runs.is_busy(session_id):
            self.abort(session_id)
        self._file_times.pop(session_id, None)
        self.permissions.clear_session(session_id)
        self.bus.publish(SessionDeleted(session_id=session_id))

    def messages(self, session_id: str) -> list[MessageWithParts]:
        self._writer.flush()  # a part still streaming may have a write pending; show it as it is now
        history = self.storage.list_messages(session_id)
        if history and not self.runs.is_busy(session_id):
            close_crashed_turn(self._writer, history[-1])
        return history

    def fork(self, session_id: str, message_id: str | None = None, *, wait: bool = True) -> Session:
        """A new session holding a copy of the history up to and including `message_id` (all when None).
        Without `wait` (the UI) a database locked by another process raises StorageError at once (WAIT_BRIEFLY)
        and nothing is written."""
        source = self._require(session_id)
        history = self.storage.list_messages(session_id)
        if message_id is not None:
            message_ids = [m.info.id for m in history]
            if message_id not in message_ids:
                raise SessionNotFound(f"No message {message_id} in session {session_id}")
            history = history[: message_ids.index(message_id) + 1]
        fork = Session(
            project_id=source.project_id, directory=source.directory, forked_from=source.id,
            title=f"{source.title} (fork)", title_generated=True, model=source.model,
        )
        messages, parts = copy_history(history, fork.id)
        fork.cost = sum((m.cost for m in messages if isinstance(m, AssistantMessage)), fork.cost)
        with nullcontext() if wait else self.storage.no_wait(WAIT_BRIEFLY):
            self.storage.put_all(sessions=[fork], messages=messages, parts=parts)
        self.bus.publish(SessionUpdated(session=fork))
        return fork

    def cost_report(self, session_id: str) -> CostReport:
        """The session's cost (its sub-agents included) by model and by kind of token (`/cost`)."""
        return cost_report(self.storage, self._require(session_id).id)

    def get_todos(self, session_id: str) -> list[Todo]:
        session = self.get(session_id)
        return list(session.todos) if session else []

    def set_todos(self, session_id: str, todos: list[Todo]) -> None:
        session = self._require(session_id)
        session.todos = list(todos)
        self._touch(session)
