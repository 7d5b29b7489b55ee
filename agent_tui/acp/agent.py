"""The agent side of ACP: the client's requests, answered with the session service.

Every handler turns our failures into JSON-RPC errors with a message a user can act on; an unexpected exception
inside a turn is logged and answered as an internal error, and the process keeps serving.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from acp import PROTOCOL_VERSION, RequestError
from acp.helpers import update_current_mode
from acp.schema import (
    AgentCapabilities,
    ClientCapabilities,
    ConfigOptionUpdate,
    Implementation,
    InitializeResponse,
    ListSessionsResponse,
    LoadSessionResponse,
    McpCapabilities,
    NewSessionResponse,
    PromptCapabilities,
    PromptResponse,
    SessionCapabilities,
    SessionInfo,
    SessionListCapabilities,
    SetSessionConfigOptionResponse,
    SetSessionModeResponse,
)

from agent_tui import __version__
from agent_tui.acp.forwarder import UpdateSink
from agent_tui.acp.options import MODE_OPTION, MODEL_OPTION, config_options, modes
from agent_tui.acp.projects import Project, Projects
from agent_tui.acp.prompt_input import prompt_input
from agent_tui.acp.replay import history_updates
from agent_tui.core.agents import UnknownAgent
from agent_tui.core.llm.catalog import ModelError
from agent_tui.core.session.service import BusyError, SessionNotFound

log = logging.getLogger(__name__)

SUPPORTED_VERSIONS = (PROTOCOL_VERSION,)
LIST_PAGE = 50


@dataclass
class OpenSession:
    project: Project
    model: str | None = None  # chosen with the model option; None: the service's usual choice


def negotiate(requested: int) -> int:
    """The client's version when we speak it, else the newest we speak (the client then decides)."""
    return requested if requested in SUPPORTED_VERSIONS else max(SUPPORTED_VERSIONS)


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).isoformat()


class AcpAgent:
    def __init__(self, *, directory: Path, model: str | None = None) -> None:
        self._directory = directory
        self._model = model
        self._conn: Any = None
        self._sink: UpdateSink | None = None
        self._projects: Projects | None = None
        self._sessions: dict[str, OpenSession] = {}

    def on_connect(self, conn: Any) -> None:
        self._conn = conn
        self._sink = UpdateSink(lambda session_id, update: conn.session_update(session_id=session_id, update=update))

    @property
    def projects(self) -> Projects:
        if self._projects is None:  # a client that skips `initialize` gets no client-side files or terminals
            assert self._sink is not None
            self._projects = Projects(model=self._model, sink=self._sink, conn=self._conn, capabilities=None)
        return self._projects

    # --- lifecycle ----------------------------------------------------------------------------------------

    async def initialize(
        self, protocol_version: int, client_capabilities: ClientCapabilities | None = None,
        client_info: Implementation | None = None, **_: Any,
    ) -> InitializeResponse:
        log.info("acp: initialize from %s (protocol %s)", client_info.name if client_info else "a client",
                 protocol_version)
        self.projects.capabilities = client_capabilities
        # The first prompt should not wait ~4 s for litellm's import: start it now, in a thread.
        from agent_tui.core.llm.litellm_loader import warm_up_in_background

        warm_up_in_background()
        return InitializeResponse(
            protocol_version=negotiate(protocol_version),
            agent_capabilities=AgentCapabilities(
                load_session=True,
                prompt_capabilities=PromptCapabilities(embedded_context=True),
                mcp_capabilities=McpCapabilities(http=True, sse=True),
                session_capabilities=SessionCapabilities(list=SessionListCapabilities()),
            ),
            agent_info=Implementation(name="agent-tui", title="agent-tui", version=__version__),
            auth_methods=[],
        )

    async def shutdown(self) -> None:
        if self._projects is not None:
            await self._projects.shutdown()
        if self._sink is not None:
            await self._sink.close()

    # --- sessions -----------------------------------------------------------------------------------------

    def _open(self, session_id: str) -> OpenSession:
        state = self._sessions.get(session_id)
        if state is None:
            raise RequestError.invalid_params({"sessionId": f"no open session {session_id}; use session/new or "
                                               "session/load first"})
        return state

    async def new_session(self, cwd: str, mcp_servers: list[Any] | None = None, **_: Any) -> NewSessionResponse:
        project = self.projects.get(cwd, mcp_servers)
        session = project.service.create()
        project.forwarder.open(session)
        self._sessions[session.id] = OpenSession(project)
        return NewSessionResponse(session_id=session.id, modes=modes(project.service, session.id),
                                  config_options=config_options(project.service, session.id, None))

    async def load_session(
        self, cwd: str, session_id: str, mcp_servers: list[Any] | None = None, **_: Any
    ) -> LoadSessionResponse:
        project = self.projects.get(cwd, mcp_servers)
        service = project.service
        session = service.get(session_id)
        if session is None or session.parent_id is not None:
            raise RequestError.resource_not_found(session_id)
        if service.is_busy(session_id):
            raise RequestError.invalid_request({"details": f"session {session_id} is running; cancel it first"})
        history = service.messages(session_id)
        assert self._sink is not None
        for update in history_updates(session, history, service.project.directory):
            self._sink.put(session_id, update)
        await self._sink.flush()  # the whole history reaches the client before the answer
        project.forwarder.open(service.get(session_id) or session)
        state = self._sessions.setdefault(session_id, OpenSession(project))
        return LoadSessionResponse(modes=modes(service, session_id),
                                   config_options=config_options(service, session_id, state.model))

    async def list_sessions(self, cwd: str | None = None, cursor: str | None = None, **_: Any) -> ListSessionsResponse:
        service = self.projects.get(cwd or str(self._directory.resolve())).service
        offset = int(cursor) if cursor and cursor.isdigit() else 0
        sessions = service.list(limit=LIST_PAGE + 1, offset=offset)
        more = len(sessions) > LIST_PAGE
        return ListSessionsResponse(
            sessions=[SessionInfo(session_id=s.id, cwd=s.directory, title=s.title, updated_at=_iso(s.time.updated))
                      for s in sessions[:LIST_PAGE]],
            next_cursor=str(offset + LIST_PAGE) if more else None,
        )

    async def set_config_option(
        self, config_id: str, session_id: str, value: str | bool, **_: Any
    ) -> SetSessionConfigOptionResponse:
        state = self._open(session_id)
        service = state.project.service
        if config_id not in (MODEL_OPTION, MODE_OPTION) or not isinstance(value, str):
            raise RequestError.invalid_params({"configId": f"unknown option {config_id!r}"})
        if config_id == MODE_OPTION:
            self._set_agent(state, session_id, value)
            await self._tell(session_id, update_current_mode(value))  # for clients that show modes
        else:
            try:
                service.resolve_model(value)
            except ModelError as exc:
                raise RequestError.invalid_params({"value": str(exc)}) from exc
            state.model = value
        return SetSessionConfigOptionResponse(config_options=config_options(service, session_id, state.model))

    async def set_session_mode(self, session_id: str, mode_id: str, **_: Any) -> SetSessionModeResponse:
        state = self._open(session_id)
        self._set_agent(state, session_id, mode_id)
        # For clients that show config options: the agent option changed with the mode.
        await self._tell(session_id, ConfigOptionUpdate(
            session_update="config_option_update",
            config_options=config_options(state.project.service, session_id, state.model)))
        return SetSessionModeResponse()

    async def _tell(self, session_id: str, update: Any) -> None:
        assert self._sink is not None
        self._sink.put(session_id, update)
        await self._sink.flush()

    def _set_agent(self, state: OpenSession, session_id: str, name: str) -> None:
        service = state.project.service
        if name not in {a.name for a in service.agents.primary()}:
            raise RequestError.invalid_params({"modeId": f"no agent {name!r}; agents: "
                                               + ", ".join(a.name for a in service.agents.primary())})
        try:
            service.set_agent(session_id, name)
        except UnknownAgent as exc:
            raise RequestError.invalid_params({"modeId": str(exc)}) from exc

    # --- turns --------------------------------------------------------------------------------------------

    async def prompt(self, session_id: str, prompt: list[Any], **_: Any) -> PromptResponse:
        state = self._open(session_id)
        text, files = prompt_input(prompt)
        if not text.strip() and not files:
            raise RequestError.invalid_params({"prompt": "the prompt is empty"})
        assert self._sink is not None
        service = state.project.service
        if service.mcp is not None:  # servers still starting get a bounded wait; once settled this returns at once
            await service.mcp.wait_ready(service.config.mcp_startup_timeout)  # type: ignore[attr-defined]
        try:
            reply = await service.chat(session_id, text, model=state.model, files=files)
        except BusyError as exc:
            raise RequestError.invalid_request({"details": str(exc)}) from exc
        except (ModelError, SessionNotFound) as exc:
            raise RequestError(-32603, str(exc)) from exc
        except Exception as exc:  # an engine bug: answer this request, keep serving the others
            log.exception("acp: prompt failed")
            raise RequestError.internal_error({"details": f"{type(exc).__name__}: {exc}"}) from exc
        finally:
            await self._sink.flush()  # every update of the turn goes out before its answer
        error = reply.error
        if error is None:
            return PromptResponse(stop_reason="end_turn")
        if error.kind == "aborted":
            return PromptResponse(stop_reason="cancelled")
        if error.kind == "output_length":
            return PromptResponse(stop_reason="max_tokens")
        raise RequestError(-32603, error.message,
                           {"kind": error.kind, "provider": error.provider, "retryable": error.retryable})

    async def cancel(self, session_id: str, **_: Any) -> None:
        state = self._sessions.get(session_id)
        if state is not None:
            state.project.service.abort(session_id)
