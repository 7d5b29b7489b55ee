"""The session service: the one public API of the engine. The TUI and `agent-tui run` both drive it.

Every change is published on the bus as it happens and stored in SQLite. One run per session at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from agent_tui.core import paths
from agent_tui.core.agents import AgentDefinition, AgentRegistry, agent_folders
from agent_tui.core.bus import Bus
from agent_tui.core.config import Config, load_config
from agent_tui.core.events import (
    FileChanged,
    SessionBusy,
    SessionDeleted,
    SessionError,
    SessionIdle,
    SessionUpdated,
)
from agent_tui.core.llm.catalog import Catalog, ModelInfo, ResolvedModel
from agent_tui.core.llm.cost import step_cost
from agent_tui.core.llm.errors import ProviderError
from agent_tui.core.llm.stream import TextDelta, Usage, stream_completion
from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    MessageError,
    MessageWithParts,
    Session,
    TextPart,
    Todo,
    ToolPart,
    UserMessage,
    now_ms,
)
from agent_tui.core.permission import PermissionManager, Policy
from agent_tui.core.project import Project
from agent_tui.core.secrets import SecretScrubber
from agent_tui.core.session import compaction, title
from agent_tui.core.session.approval import ApprovalClock
from agent_tui.core.session.costs import CostReport, cost_report
from agent_tui.core.session.fork import copy_history
from agent_tui.core.session.history import guess_mime
from agent_tui.core.session.loop import (
    ABORTED,
    Turn,
    close_open_parts,
    provider_error_to_message,
    run_turn,
    usage_tokens,
)
from agent_tui.core.session.prompt import build_system_prompt
from agent_tui.core.session.recovery import OWNER, close_crashed_turn
from agent_tui.core.session.subagent import run_subagent
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.snapshot.checkpoints import Checkpoints
from agent_tui.core.snapshot.facade import UndoFacade
from agent_tui.core.snapshot.revert import Reverter, discard_redo
from agent_tui.core.state import load_state, remember_model
from agent_tui.core.storage import Storage
from agent_tui.core.text_encoding import escape_surrogates
from agent_tui.core.tools.access import AccessProvider, ToolAccess
from agent_tui.core.tools.base import FileTimes, SubagentResult, Tool, ToolContext, ToolRegistry
from agent_tui.core.tools.truncate import remove_old_saved_outputs
from agent_tui.resources import read_prompt

log = logging.getLogger(__name__)

PermissionMode = Literal["interactive", "approve", "reject"]


class BusyError(Exception):
    """A second run was asked of a session that is already running."""


class SessionNotFound(KeyError):
    pass


class ServiceClosed(RuntimeError):
    """A run was asked after shutdown(): its tools, MCP servers and background tasks are gone."""


SHUTDOWN_GRACE = 5.0  # seconds for aborted turns to record where they stopped


@dataclass
class _Run:
    session_id: str
    abort: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    released: asyncio.Event = field(default_factory=asyncio.Event)


class SessionService(UndoFacade):
    def __init__(
        self,
        *,
        project: Project,
        config: Config,
        storage: Storage,
        bus: Bus | None = None,
        catalog: Catalog | None = None,
        tools: ToolRegistry | None = None,
        permissions: PermissionManager | None = None,
        permission_mode: PermissionMode = "interactive",
        mcp: object | None = None,
        model: str | None = None,
        retry_base_delay: float = 1.0,
        agents: AgentRegistry | None = None,
    ) -> None:
        self.project = project
        self.retry_base_delay = retry_base_delay
        self.config = config
        self.storage = storage
        self.bus = bus or Bus()
        self.catalog = catalog or Catalog(config)
        # Bad agent files are skipped; front ends show `self.agents.problems` to the user.
        self.agents = agents or AgentRegistry.load(agent_folders(project.root, project.directory))
        if tools is None:
            from agent_tui.core.tools.builtin import builtin_tools

            tools = ToolRegistry(builtin_tools(webfetch_allow_private=config.webfetch.allow_private))
        self.tools = tools
        task = tools.get("task")
        if task is not None and hasattr(task, "list_subagents"):
            task.list_subagents = self.agents.subagents  # type: ignore[attr-defined]
        self.permissions = permissions or PermissionManager(self.bus, config.permission, mode=permission_mode)
        self.mcp = mcp  # an McpManager; duck-typed so that `mcp` is never imported here
        self.access: AccessProvider | None = None  # a front end's own files and terminals (ACP)
        self.requested_model = model
        self._runs: dict[str, _Run] = {}
        self._file_times: dict[str, FileTimes] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._writer = RecordWriter(storage, self.bus)
        self._scrub = SecretScrubber.from_config(config)
        self._closed = False
        self.bus.subscribe(FileChanged, self._on_file_changed)
        self.checkpoints = Checkpoints(project, self.bus, storage, self._writer)
        self.reverter = Reverter(self.checkpoints, storage, self._writer)

    @classmethod
    def open(
        cls, directory: Path | str, *, model: str | None = None, permission_mode: PermissionMode = "interactive"
    ) -> SessionService:
        """Load config and open the database for `directory`. Raises ConfigError / StorageError."""
        project = Project.discover(directory)
        config = load_config(project.directory).config
        storage = Storage(paths.database_path())
        remove_old_saved_outputs()
        return cls(project=project, config=config, storage=storage, model=model, permission_mode=permission_mode)

    # --- sessions -----------------------------------------------------------------------------------------

    def create(self, title: str | None = None, parent_id: str | None = None, agent: str | None = None) -> Session:
        """A new session; `agent` (checked: UnknownAgent) is the agent its turns run with."""
        if agent is not None:
            self.agents.get(agent)
        session = Session(project_id=self.project.id, directory=str(self.project.directory), parent_id=parent_id,
                          agent=agent)
        if title:
            session.title = title
            session.title_generated = True
        self.storage.put_session(session)
        self.bus.publish(SessionUpdated(session=session.model_copy(deep=True)))
        return session

    def get(self, session_id: str) -> Session | None:
        return self.storage.get_session(session_id)

    def _require(self, session_id: str) -> Session:
        session = self.storage.get_session(session_id)
        if session is None:
            raise SessionNotFound(f"No session {session_id}")
        return session

    def list(self, limit: int = 100, offset: int = 0) -> list[Session]:
        return self.storage.list_sessions(self.project.id, limit=limit, offset=offset)

    def search(self, text: str) -> list[Session]:
        return self.storage.search_sessions(self.project.id, text) if text.strip() else self.list()

    def _touch(self, session: Session) -> Session:
        session.time.updated = now_ms()
        self._writer.session(session)  # stored (or kept until the database can be written) and published
        return session

    def agent_for(self, session_id: str | None) -> AgentDefinition:
        """The agent the session's next turn runs with (the default when it has none or its file is gone)."""
        session = self.storage.get_session(session_id) if session_id else None
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

    def delete(self, session_id: str) -> None:
        deleted: list[str] = []
        pending = [session_id]
        while pending:  # with its sub-agent sessions, which the storage deletes too
            deleted.append(pending.pop())
            pending.extend(child.id for child in self.storage.children(deleted[-1]))
        self._writer.forget(deleted)
        if session_id in self._runs:
            self.abort(session_id)
        self.storage.delete_session(session_id)
        self._file_times.pop(session_id, None)
        self.permissions.clear_session(session_id)
        self.bus.publish(SessionDeleted(session_id=session_id))

    def messages(self, session_id: str) -> list[MessageWithParts]:
        self._writer.flush()  # a part still streaming may have a write pending; show it as it is now
        history = self.storage.list_messages(session_id)
        if history and session_id not in self._runs:
            close_crashed_turn(self.storage, history[-1])
        return history

    def fork(self, session_id: str, message_id: str | None = None) -> Session:
        """A new session holding a copy of the history up to and including `message_id` (all when None)."""
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
        self.storage.put_all(sessions=[fork], messages=messages, parts=parts)
        self.bus.publish(SessionUpdated(session=fork))
        return fork

    # --- models -------------------------------------------------------------------------------------------

    def providers_configured(self) -> bool:
        return bool(self.catalog.configured())

    def available_models(self) -> list[ModelInfo]:
        return self.catalog.models()

    def model_spec(self, session_id: str | None = None, requested: str | None = None) -> str:
        """`--model` (or the picker's choice), else the session's own model when reopening it, else the
        config's `model`, else the last model used anywhere, else the best available default."""
        session = self.storage.get_session(session_id) if session_id else None
        chosen = requested or self.requested_model or (session.model if session else None)
        return self.catalog.choose(chosen, load_state().last_model)

    def resolve_model(self, spec: str | None = None, session_id: str | None = None) -> ResolvedModel:
        """Raises ModelError with a message for the user."""
        return self.catalog.resolve(spec or self.model_spec(session_id))

    # --- running ------------------------------------------------------------------------------------------

    @property
    def storage_problem(self) -> str | None:
        """Why records are waiting in memory instead of the database (None: everything is saved)."""
        return self._writer.problem

    def is_busy(self, session_id: str) -> bool:
        return session_id in self._runs

    def busy_sessions(self) -> list[str]:
        return list(self._runs)

    def _acquire(self, session_id: str) -> _Run:
        if self._closed:
            raise ServiceClosed("The session service has been shut down.")
        if session_id in self._runs:
            raise BusyError(f"Session {session_id} is already running; wait for it or abort it (Esc).")
        run = _Run(session_id)
        self._runs[session_id] = run
        self.bus.publish(SessionBusy(session_id=session_id))
        return run

    def _release(self, run: _Run) -> None:
        if self._runs.get(run.session_id) is run:
            del self._runs[run.session_id]
        run.released.set()
        self.bus.publish(SessionIdle(session_id=run.session_id))

    def abort(self, session_id: str) -> bool:
        """Stop the running turn: close the stream, cancel tools, refuse pending permission prompts."""
        run = self._runs.get(session_id)
        if run is None:
            return False
        run.abort.set()
        self.permissions.reject_all(session_id)
        if run.task is not None and not run.task.done():
            run.task.cancel()
        return True

    def tool_list(self, *, exclude: frozenset[str] = frozenset()) -> list[Tool]:
        tools = self.tools.tools(exclude)
        if self.mcp is not None:
            tools.extend(t for t in self.mcp.tools() if t.name not in exclude)  # type: ignore[attr-defined]
        return tools

    async def chat(
        self,
        session_id: str,
        text: str,
        *,
        model: str | None = None,
        files: list[Path] | None = None,
        prompt: str | None = None,
        _exclude_tools: frozenset[str] = frozenset(),
        _depth: int = 0,
    ) -> AssistantMessage:
        """Run one turn. Returns the finished assistant message (with `error` set when it failed or was
        aborted). Raises BusyError, SessionNotFound or ModelError before anything is stored.

        `prompt`: text the model reads after `text` but the transcript does not show (a custom command's
        expansion under the `/name args` the user typed)."""
        session = self._require(session_id)
        agent = self.agent_for(session_id)
        # The agent's own model counts only when nobody asked for one.
        agent_model = None if model or self.requested_model else agent.model
        resolved = self.resolve_model(model or agent_model, session_id)
        run = self._acquire(session_id)
        try:
            return await self._chat(run, session, resolved, text, files or [], _exclude_tools, _depth, agent,
                                    agent_model is not None, prompt=prompt)
        finally:
            self._release(run)

    async def _chat(
        self, run: _Run, session: Session, model: ResolvedModel, text: str, files: list[Path],
        exclude: frozenset[str], depth: int, agent: AgentDefinition, from_agent: bool, prompt: str | None = None,
    ) -> AssistantMessage:
        history = self.storage.list_messages(session.id)
        if history:
            close_crashed_turn(self.storage, history[-1])
        first = not history
        # Summarise before storing the new message, so the summary covers everything before it.
        if compaction.needs_compaction(history, model.info):
            await self._summarise(run, session, model)
        user = UserMessage(session_id=session.id)
        discard_redo(history, self._writer)
        self._writer.message(user)
        if text:
            self._writer.part(TextPart(session_id=session.id, message_id=user.id, text=text))
        if prompt:
            self._writer.part(TextPart(session_id=session.id, message_id=user.id, text=prompt, synthetic=True))
        for path in files:
            resolved_path = path if path.is_absolute() else self.project.directory / path
            self._writer.part(FilePart(session_id=session.id, message_id=user.id, mime=guess_mime(resolved_path),
                                       filename=path.name, url=f"file://{resolved_path}",
                                       source_path=str(resolved_path)))
        if session.model != model.spec and depth == 0 and not from_agent:
            remember_model(model.spec)
        # Re-read: a summary just now may have changed the stored session (its cost).
        session = self._require(session.id)
        if not from_agent:  # an agent's own model is not the session's choice: switching back restores it
            session.model = model.spec
        self._touch(session)
        if first and not session.title_generated:
            self._spawn(self._title(session.id, text))

        # It runs git and reads files: off the event loop.
        system = await asyncio.to_thread(
            build_system_prompt, self.project, self.catalog.family(model), self.config.instructions, agent.prompt
        )
        policy = Policy.for_agent(self.config.permission, agent.permission, read_only=agent.read_only,
                                  agent=agent.name)
        assistant = AssistantMessage(session_id=session.id, provider=model.provider, model=model.model_id,
                                     parent_id=user.id, owner=OWNER)
        self._writer.message(assistant)
        turn = Turn(
            assistant=assistant, model=model, system=system,
            tools=lambda: [t for t in self.tool_list(exclude=exclude | ({"task"} if depth > 0 else frozenset()))
                           if agent.offers(t.name)],
            storage=self.storage, writer=self._writer, temperature=agent.temperature,
            make_context=lambda part: self._tool_context(run, part, depth, policy),
            step_limit=self.config.step_limit, retry_base_delay=self.retry_base_delay, scrub=self._scrub,
            idle_timeout=self.config.provider_timeout.idle,
            on_cost=lambda cost: self._add_cost(session.id, cost), checkpoint=self.checkpoints.around_step,
        )
        await self._run_guarded(run, run_turn(turn), assistant, lambda reason: close_open_parts(turn, reason))
        self._finish(assistant)
        return assistant

    async def _run_guarded(
        self, run: _Run, work: Coroutine[Any, Any, None], assistant: AssistantMessage,
        close_parts: Callable[[str], None],
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
                self._finish(assistant)
                raise
        except Exception as exc:  # an engine bug: record it on the message rather than losing the turn
            log.exception("turn failed")
            close_parts(f"Internal error: {exc}")
            assistant.error = MessageError(kind="unknown", message=f"Internal error: {type(exc).__name__}: {exc}")
        finally:
            run.task = None

    def _add_cost(self, session_id: str, cost: Decimal) -> None:
        """Count a step's cost on the session at once, so the cost shown never lags behind a long turn."""
        session = self.storage.get_session(session_id)
        if session is not None:
            session.cost += cost
            self._touch(session)

    def _finish(self, assistant: AssistantMessage) -> None:
        if assistant.time.completed is not None:
            return
        self._writer.flush()
        assistant.time.completed = now_ms()
        self._writer.message(assistant)
        session = self.storage.get_session(assistant.session_id)
        if session is not None:
            self._touch(session)
        if assistant.error is not None and assistant.error.kind != "aborted":
            self.bus.publish(SessionError(session_id=assistant.session_id, error=assistant.error))

    # --- tools' view of the service -----------------------------------------------------------------------

    def file_times(self, session_id: str) -> FileTimes:
        return self._file_times.setdefault(session_id, FileTimes())

    def _on_file_changed(self, event: FileChanged) -> None:
        for times in self._file_times.values():
            times.mark_changed(Path(event.path))

    def _tool_context(self, run: _Run, part: ToolPart, depth: int, policy: Policy | None = None) -> ToolContext:
        def update(new_title: str | None, metadata: dict[str, object]) -> None:
            if new_title:
                part.state.title = new_title
            part.state.metadata.update(self._scrub.value(escape_surrogates(metadata)))
            self._writer.part(part, force=False)

        async def ask(request):  # type: ignore[no-untyped-def]
            clock = ApprovalClock(part, self._writer.part)  # the wait shows, and is not the tool's duration
            await self.permissions.ask(part.session_id, part.call_id, request, policy, on_wait=clock)

        access = self.access.for_session(part.session_id) if self.access is not None else ToolAccess()
        return ToolContext(
            session_id=part.session_id, message_id=part.message_id, call_id=part.call_id,
            directory=self.project.directory, root=self.project.root, abort=run.abort, ask=ask, update=update,
            file_times=self.file_times(part.session_id), host=self, agent_depth=depth, scrub=self._scrub,
            files=access.files, commands=access.commands,
        )

    def cost_report(self, session_id: str) -> CostReport:
        """The session's cost (its sub-agents included) by model and by kind of token (`/cost`)."""
        return cost_report(self.storage, self._require(session_id).id)

    def get_todos(self, session_id: str) -> list[Todo]:
        session = self.storage.get_session(session_id)
        return list(session.todos) if session else []

    def set_todos(self, session_id: str, todos: list[Todo]) -> None:
        session = self._require(session_id)
        session.todos = list(todos)
        self._touch(session)

    async def run_subagent(self, ctx: ToolContext, description: str, prompt: str,
                           agent: str | None = None) -> SubagentResult:
        return await run_subagent(self, ctx, description, prompt, agent)

    # --- background work: titles, compaction, init --------------------------------------------------------

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _title(self, session_id: str, text: str) -> None:
        try:
            spec = self.config.small_model or self.model_spec(session_id)
            model = self.catalog.resolve(spec)
            new_title = await title.generate_title(model, text)
        except Exception as exc:
            log.info("title: %s", exc)
            new_title = title.fallback_title(text)
        session = self.storage.get_session(session_id)
        if session is not None and not session.title_generated:
            session.title = new_title
            session.title_generated = True
            self._touch(session)

    async def _summarise(self, run: _Run, session: Session, model: ResolvedModel) -> AssistantMessage:
        history = self.storage.list_messages(session.id)
        system = await asyncio.to_thread(
            build_system_prompt, self.project, self.catalog.family(model), self.config.instructions
        )
        request = compaction.summary_request(history, system, model)
        summary = AssistantMessage(session_id=session.id, provider=model.provider, model=model.model_id,
                                   summary=True)
        self._writer.message(summary)
        part = TextPart(session_id=session.id, message_id=summary.id, time_start=now_ms())

        async def work() -> None:
            try:
                async for event in stream_completion(request, base_delay=self.retry_base_delay):
                    if isinstance(event, TextDelta):
                        part.text += event.text
                        self._writer.part(part, delta=event.text, force=False)
                    elif isinstance(event, Usage):
                        summary.tokens = usage_tokens(event)
                        summary.cost = step_cost(summary.tokens, model.info)
                        summary.context_tokens = summary.tokens.output  # what stays in the context: the summary
                        self._add_cost(session.id, summary.cost)
            except ProviderError as exc:
                summary.error = provider_error_to_message(exc)

        await self._run_guarded(run, work(), summary, lambda reason: None)
        part.time_end = now_ms()
        self._writer.part(part)
        if not part.text.strip() and summary.error is None:
            summary.error = MessageError(kind="unknown", message="The model returned an empty summary.")
        self._finish(summary)
        return summary

    async def compact(self, session_id: str, model: str | None = None) -> AssistantMessage:
        """Summarise the conversation now (`/compact`)."""
        session = self._require(session_id)
        resolved = self.resolve_model(model, session_id)
        run = self._acquire(session_id)
        try:
            return await self._summarise(run, session, resolved)
        finally:
            self._release(run)

    async def initialize(self, session_id: str, model: str | None = None) -> AssistantMessage:
        """Ask the model to create or improve AGENTS.md for the project (`/init`)."""
        return await self.chat(session_id, read_prompt("initialize.md"), model=model)

    async def shell(self, session_id: str, command: str) -> MessageWithParts:
        """Run a command the user typed (`!command`); its output becomes context for the next message."""
        from agent_tui.core.session.shell import run_shell

        return await run_shell(self, session_id, command)

    async def shutdown(self) -> None:
        self._closed = True
        runs = list(self._runs.values())
        for run in runs:
            self.abort(run.session_id)
        # The caller closes storage next: let the aborted turns store what they received and why they stopped.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(run.released.wait() for run in runs)), SHUTDOWN_GRACE)
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._writer.flush()
        if self.mcp is not None:
            await self.mcp.shutdown()  # type: ignore[attr-defined]
        await self.bus.drain()



