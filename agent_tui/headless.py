"""`agent-tui run` and `agent-tui sessions`: the session service driven from the command line.

`run` streams the reply to stdout (text, or one JSON event per line) and shows tool calls briefly on stderr.
Exit codes: 0 done, 1 the model or provider failed (or the run was interrupted), 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TextIO

from agent_tui import headless_undo
from agent_tui.core.agents import UnknownAgent
from agent_tui.core.config import ConfigError
from agent_tui.core.events import Event, PartDelta, PartUpdated, UndoUnavailable
from agent_tui.core.exit_now import exit_now
from agent_tui.core.llm.catalog import ModelError
from agent_tui.core.models import AssistantMessage, ReasoningPart, TextPart, ToolPart
from agent_tui.core.private_files import write_private_text
from agent_tui.core.session.export import to_json, to_markdown
from agent_tui.core.storage import StorageError
from agent_tui.core.terminal_text import escape_controls


def _fail(message: str, code: int = 2) -> int:
    print(f"agent-tui: {message}", file=sys.stderr)
    return code


def _open_service(directory: str, *, model: str | None = None, permission_mode: str = "interactive"):  # type: ignore[no-untyped-def]
    from agent_tui.core.session.service import SessionService

    return SessionService.open(Path(directory), model=model, permission_mode=permission_mode)  # type: ignore[arg-type]


def json_line(event: Event, *, streaming: bool = False) -> str:
    """One event as a line of `--format json`.

    Text streaming into a part comes as `part.delta` lines (the text added, and its `offset` in the part's
    text). The part's own events while it streams (`streaming`: deltas of it were printed) leave its text out,
    since every such line would be as long as the reply up to then; its last event (`time_end` set) carries the
    whole text.
    """
    if streaming and isinstance(event, PartUpdated) and isinstance(event.part, TextPart | ReasoningPart):
        if event.part.time_end is None:
            return event.model_dump_json(exclude={"part": {"text"}})
    return event.model_dump_json()


class _Printer:
    """Turns bus events of one session into terminal output."""

    def __init__(self, session_id: str, fmt: str, out: TextIO, err: TextIO) -> None:
        self.session_id = session_id
        self.fmt = fmt
        self.out = out
        self.err = err
        self.announced: set[str] = set()
        self.ended_with_newline = True
        self.streamed: set[str] = set()  # parts whose text came as deltas (json)

    def __call__(self, event: Event) -> None:
        if self.fmt == "json":
            self._json(event)
            return
        if isinstance(event, UndoUnavailable):  # sent once: checkpoints cannot be taken
            self._line(f"! {event.reason}")
            return
        if isinstance(event, PartDelta):
            if event.part_type == "text" and event.session_id == self.session_id:
                self.out.write(escape_controls(event.delta))
                self.out.flush()
                self.ended_with_newline = event.delta.endswith("\n")
            return
        if not isinstance(event, PartUpdated) or event.part.session_id != self.session_id:
            return
        part = event.part
        if isinstance(part, ToolPart):
            state = part.state
            key = f"{part.id}:{state.status}"
            if state.status in ("running", "completed", "error") and key not in self.announced:
                self.announced.add(key)
                if state.status == "running":
                    self._line(f"→ {part.tool} {state.title or ''}".rstrip())
                elif state.status == "error":
                    self._line(f"✗ {part.tool}: {(state.error or '').splitlines()[0][:200] if state.error else ''}")

    def _json(self, event: Event) -> None:
        streaming = False
        if isinstance(event, PartDelta):
            self.streamed.add(event.part_id)
        elif isinstance(event, PartUpdated) and event.part.id in self.streamed:
            streaming = True
            if getattr(event.part, "time_end", None) is not None:
                self.streamed.discard(event.part.id)
        self.out.write(json_line(event, streaming=streaming) + "\n")
        self.out.flush()

    def _line(self, text: str) -> None:
        if not self.ended_with_newline:
            self.out.write("\n")
            self.out.flush()
            self.ended_with_newline = True
        self.err.write(escape_controls(text) + "\n")
        self.err.flush()


class _Terminator:
    """SIGTERM and SIGHUP: stop the turn (its tools with their whole process groups), let it store what arrived,
    close MCP servers (the `finally` of `_run`) and exit 0. Before a turn runs, the start-up is cancelled."""

    SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self, service) -> None:  # type: ignore[no-untyped-def]
        self.service = service
        self.signal: int | None = None
        self.cancellable = True  # until the turn starts (then aborting it is the way to stop)
        self._task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in self.SIGNALS:
            loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: int) -> None:
        first = self.signal is None
        self.signal = sig
        busy = self.service.busy_sessions()
        for session_id in busy:
            self.service.abort(session_id)
        if first and self.cancellable and not busy and self._task is not None:
            self._task.cancel()

    def remove(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self.SIGNALS:
            loop.remove_signal_handler(sig)


async def _run(args: argparse.Namespace, prompt: str, files: list[Path]) -> int:
    try:
        service = _open_service(args.dir, model=args.model, permission_mode="approve" if args.yes else "reject")
    except (ConfigError, StorageError) as exc:
        return _fail(str(exc))
    terminator = _Terminator(service)
    try:
        code = await _run_with(service, terminator, args, prompt, files)
        if service.storage_problem:  # the turn ran, but not everything reached the database
            return _fail(f"{service.storage_problem} Changes of this run that were not saved are lost.")
        return code
    except StorageError as exc:
        return _fail(str(exc))
    except asyncio.CancelledError:
        if terminator.signal is None:
            raise
        return 0
    finally:
        terminator.remove()
        if terminator.signal is not None:
            exit_now(0)  # everything is stored and closed: do not wait for the interpreter's teardown


async def _run_with(service, terminator: _Terminator, args: argparse.Namespace, prompt: str,  # type: ignore[no-untyped-def]
                    files: list[Path]) -> int:
    mcp = None
    try:
        if args.session:
            session = service.get(args.session)
            if session is None:
                return _fail(f"no session {args.session} in this project")
        elif args.continue_last:
            sessions = service.list(limit=1)
            session = sessions[0] if sessions else service.create()
        else:
            session = None
        for problem in service.agents.problems:  # a bad agent file is skipped, not fatal
            print(f"agent-tui: warning: {problem}", file=sys.stderr)
        agent_name = getattr(args, "agent", None)
        try:
            agent = service.agents.get(agent_name) if agent_name else None
        except UnknownAgent as exc:
            return _fail(str(exc))
        if agent is not None and not agent.primary:
            return _fail(f"'{agent.name}' is a sub-agent (mode {agent.mode}); the task tool runs it. Primary agents: "
                         + ", ".join(a.name for a in service.agents.primary()))
        try:
            service.resolve_model(args.model or (agent.model if agent else None), session.id if session else None)
        except ModelError as exc:
            return _fail(str(exc))
        if service.config.mcp:
            from agent_tui.core import paths
            from agent_tui.core.mcp.manager import McpManager

            mcp = McpManager(service.config.mcp, service.bus, log_dir=paths.log_dir(),
                             directory=service.project.directory,
                             startup_timeout=service.config.mcp_startup_timeout)
            service.mcp = mcp
            mcp.start()
            # No one sees servers arrive here, so the first step waits for them (bounded).
            await mcp.wait_ready(service.config.mcp_startup_timeout)
        if session is None:
            session = service.create(agent=agent_name)
        elif agent_name:
            service.set_agent(session.id, agent_name)
        printer = _Printer(session.id, args.format, sys.stdout, sys.stderr)
        unsubscribe = service.bus.subscribe_all(printer)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, service.abort, session.id)
        terminator.cancellable = False
        try:
            reply: AssistantMessage = await service.chat(session.id, prompt, model=args.model,
                                                         files=files)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            unsubscribe()
        if args.format == "text" and not printer.ended_with_newline:
            sys.stdout.write("\n")
        if terminator.signal is not None:
            print(f"agent-tui: stopped by {signal.Signals(terminator.signal).name}; what arrived is stored "
                  f"(session {session.id})", file=sys.stderr)
            return 0
        if reply.error is not None:
            print(f"agent-tui: {escape_controls(reply.error.message)}", file=sys.stderr)
            print(f"agent-tui: session {session.id}", file=sys.stderr)
            return 1
        return 0
    finally:
        await service.shutdown()
        service.storage.close()


def _missing_dir(directory: str) -> str | None:
    """Why `--dir` cannot be used, or None. Checked first: a wrong folder must not run anywhere else."""
    path = Path(directory)
    if path.is_dir():
        return None
    return f"--dir {directory}: {'not a folder' if path.exists() else 'no such folder'}"


def run_command(args: argparse.Namespace) -> int:
    if problem := _missing_dir(args.dir):
        return _fail(problem)
    prompt = " ".join(args.prompt)
    if prompt == "-":
        prompt = sys.stdin.read()
    if not prompt.strip():
        return _fail("the prompt is empty")
    # Relative to where the command runs (not --dir), and checked now rather than told to the model later.
    files = [Path(f).resolve() for f in args.file]
    for given, path in zip(args.file, files, strict=True):
        if not path.is_file():
            return _fail(f"--file {given}: {'is a folder' if path.is_dir() else 'no such file'}")
    return asyncio.run(_run(args, prompt, files))


def sessions_command(args: argparse.Namespace) -> int:
    if problem := _missing_dir(args.dir):
        return _fail(problem)
    try:
        service = _open_service(args.dir)
    except (ConfigError, StorageError) as exc:
        return _fail(str(exc))
    try:
        return _sessions_action(service, args)
    except StorageError as exc:
        return _fail(str(exc))
    finally:
        service.storage.close()


def _sessions_action(service, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    if args.action == "list":
        sessions = service.list(limit=args.limit)
        if args.format == "json":
            for s in sessions:
                print(s.model_dump_json())
            return 0
        if not sessions:
            print("No sessions in this project yet.")
        for s in sessions:
            print(f"{s.id}  {_when(s.time.updated)}  ${s.cost:.4f}  {escape_controls(s.title)}")
        return 0
    session = service.get(args.id)
    if session is None:
        return _fail(f"no session {args.id}")
    if args.action in headless_undo.ACTIONS:
        return headless_undo.run(service, args)
    if args.action == "delete":
        service.delete(session.id)
        print(f"Deleted {session.id} ({session.title}).")
        return 0
    messages = service.messages(session.id)
    # `show` is read on a terminal: a long paste is its chip there; an export keeps all of it.
    detail = "summary" if args.action == "show" else "full"
    text = (to_json(session, messages) if getattr(args, "format", "md") == "json"
            else to_markdown(session, messages, pastes=detail))
    if getattr(args, "output", None):
        write_private_text(Path(args.output), text)
        print(f"Exported {session.id} to {args.output}.")
    else:
        # `show`, and a Markdown export read on a terminal: stored output must not drive the terminal.
        if args.action == "show" or sys.stdout.isatty():
            text = escape_controls(text)
        sys.stdout.write(text)
    return 0


def _when(ms: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")
