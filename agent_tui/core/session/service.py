"""The session service: the one public API of the engine. The TUI and `agent-tui run` both drive it.

Every change is published on the bus as it happens and stored in SQLite. One run per session at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from agent_tui.core import paths
from agent_tui.core.agents import AgentDefinition, AgentRegistry, agent_folders
from agent_tui.core.bus import Bus
from agent_tui.core.config import Config, load_config
from agent_tui.core.events import FileChanged, SessionError
from agent_tui.core.llm.catalog import Catalog, ModelInfo, ResolvedModel
from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    MessageWithParts,
    Session,
    TextPart,
    ToolPart,
    UserMessage,
    now_ms,
)
from agent_tui.core.permission import PermissionManager, Policy
from agent_tui.core.project import Project
from agent_tui.core.secrets import SecretScrubber
from agent_tui.core.session.pastes import Paste, paste_part
from agent_tui.core.session.runs import SHUTDOWN_GRACE, BusyError, Run, RunRegistry, ServiceClosed
from agent_tui.core.session.sessions import SessionNotFound, SessionRecords
from agent_tui.core.session.writer import RecordWriter
from agent_tui.core.snapshot.checkpoints import Checkpoints
from agent_tui.core.snapshot.facade import UndoFacade
from agent_tui.core.snapshot.revert import Reverter
from agent_tui.core.state import load_state, remember_model
from agent_tui.core.storage import Storage
from agent_tui.core.tools.access import AccessProvider
from agent_tui.core.tools.base import FileTimes, SubagentResult, Tool, ToolContext, ToolRegistry
from agent_tui.core.tools.lazy_registry import builtin_registry, link_subagents
from agent_tui.core.tools.truncate import remove_old_saved_outputs
from agent_tui.resources import read_prompt

# The errors callers catch are defined beside their concern and handed on from here, where callers import them.
__all__ = ["BusyError", "PermissionMode", "ServiceClosed", "SessionNotFound", "SessionService"]

log = logging.getLogger(__name__)

PermissionMode = Literal["interactive", "approve", "reject"]


class SessionService(SessionRecords, UndoFacade):
    """The façade: each concern lives in its own module (sessions.py, runs.py, summary.py, title.py,
    tool_context.py, shell.py, subagent.py, snapshot/facade.py); this class wires them and keeps the API."""

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
        if tools is None:  # built on first use: the tools' imports are not needed for the first frame
            tools = builtin_registry(webfetch_allow_private=config.webfetch.allow_private,
                                     subagents=lambda: self.agents.subagents())
        else:
            link_subagents(tools, self.agents.subagents)
        self.tools = tools
        self.permissions = permissions or PermissionManager(self.bus, config.permission, mode=permission_mode)
        self.mcp = mcp  # an McpManager; duck-typed so that `mcp` is never imported here
        self.access: AccessProvider | None = None  # a front end's own files and terminals (ACP)
        self.requested_model = model
        self.runs = RunRegistry(self.bus, self.permissions)
        self._file_times: dict[str, FileTimes] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._writer = RecordWriter(storage, self.bus)
        self._scrub = SecretScrubber.from_config(config)
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

    # --- models -------------------------------------------------------------------------------------------

    def providers_configured(self) -> bool:
        return bool(self.catalog.configured())

    def available_models(self) -> list[ModelInfo]:
        return self.catalog.models()

    def model_spec(self, session_id: str | None = None, requested: str | None = None) -> str:
        """`--model` (or the picker's choice), else the session's own model when reopening it, else the
        config's `model`, else the last model used anywhere, else the best available default."""
        session = self.get(session_id) if session_id else None
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
        return self.runs.is_busy(session_id)

    def busy_sessions(self) -> list[str]:
        return self.runs.busy_sessions()

    def _acquire(self, session_id: str) -> Run:
        return self.runs.acquire(session_id)

    def _release(self, run: Run) -> None:
        self.runs.release(run)

    def abort(self, session_id: str) -> bool:
        """Stop the running turn: close the stream, cancel tools, refuse pending permission prompts."""
        return self.runs.abort(session_id)

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
        pastes: list[Paste] | None = None,
        _exclude_tools: frozenset[str] = frozenset(),
        _depth: int = 0,
    ) -> AssistantMessage:
        """Run one turn. Returns the finished assistant message (with `error` set when it failed or was
        aborted). Raises BusyError, SessionNotFound or ModelError before anything is stored.

        `prompt`: text the model reads after `text` but the transcript does not show (a custom command's
        expansion under the `/name args` the user typed). `pastes`: long pastes sent as attachments (pastes.py)."""
        session = self._require(session_id)
        agent = self.agent_for(session_id)
        # The agent's own model counts only when nobody asked for one.
        agent_model = None if model or self.requested_model else agent.model
        resolved = self.resolve_model(model or agent_model, session_id)
        run = self._acquire(session_id)
        try:
            return await self._chat(run, session, resolved, text, files or [], _exclude_tools, _depth, agent,
                                    agent_model is not None, prompt=prompt, pastes=pastes or ())
        finally:
            self._release(run)
            self._spawn(self.checkpoints.collect_if_due(self.busy_sessions))  # now and then, between turns

    async def _chat(
        self, run: Run, session: Session, model: ResolvedModel, text: str, files: list[Path],
        exclude: frozenset[str], depth: int, agent: AgentDefinition, from_agent: bool, prompt: str | None = None,
        pastes: Sequence[Paste] = (),
    ) -> AssistantMessage:
        # The turn's machinery (the loop, litellm's stream reader, compaction) loads with the first turn, not
        # before the first frame (tests/test_import_hygiene.py).
        from agent_tui.core.session import compaction
        from agent_tui.core.session.history import guess_mime
        from agent_tui.core.session.loop import Turn, close_open_parts, run_turn
        from agent_tui.core.session.prompt import build_system_prompt
        from agent_tui.core.session.recovery import OWNER, close_crashed_turn
        from agent_tui.core.snapshot.revert import discard_redo

        history = self.storage.history(session.id)  # parsed once, shared: read only (core/history_cache.py)
        if history:
            close_crashed_turn(self._writer, history[-1], shared=True)
        first = not history
        # Summarise before storing the new message, so the summary covers everything before it.
        if compaction.needs_compaction(history, model.info):
            await self._summarise(run, session, model)
        user = UserMessage(session_id=session.id)
        discard_redo(history, self._writer)
        self._writer.message(user)
        for paste in pastes:
            self._writer.part(paste_part(session.id, user.id, paste))
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
        self, run: Run, work: Coroutine[Any, Any, None], assistant: AssistantMessage,
        close_parts: Callable[[str], None],
    ) -> None:
        await self.runs.guarded(run, work, assistant, close_parts, self._finish)

    def _add_cost(self, session_id: str, cost: Decimal) -> None:
        """Count a step's cost on the session at once, so the cost shown never lags behind a long turn."""
        session = self.get(session_id)  # the newest, even while only in memory (a locked database)
        if session is not None:
            session.cost += cost
            self._touch(session)

    def _finish(self, assistant: AssistantMessage) -> None:
        if assistant.time.completed is not None:
            return
        self._writer.flush()
        assistant.time.completed = now_ms()
        self._writer.message(assistant)
        session = self.get(assistant.session_id)
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

    def _tool_context(self, run: Run, part: ToolPart, depth: int, policy: Policy | None = None) -> ToolContext:
        from agent_tui.core.session.tool_context import tool_context

        return tool_context(self, run, part, depth, policy)

    async def run_subagent(self, ctx: ToolContext, description: str, prompt: str,
                           agent: str | None = None) -> SubagentResult:
        from agent_tui.core.session.subagent import run_subagent

        return await run_subagent(self, ctx, description, prompt, agent)

    # --- background work: titles, compaction, init --------------------------------------------------------

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _title(self, session_id: str, text: str) -> None:
        from agent_tui.core.session import title

        await title.title_session(self, session_id, text)

    async def _summarise(self, run: Run, session: Session, model: ResolvedModel) -> AssistantMessage:
        from agent_tui.core.session.summary import summarise

        return await summarise(self, run, session, model)

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
        await self.runs.close(SHUTDOWN_GRACE)
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._writer.flush(wait=True)  # the last chance: wait for another process's lock once more
        if self.mcp is not None:
            await self.mcp.shutdown()  # type: ignore[attr-defined]
        await self.bus.drain()



