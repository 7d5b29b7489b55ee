"""Driving a real `agent-tui acp` subprocess with the SDK's own client side, against the scripted model server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from acp import PROTOCOL_VERSION, spawn_agent_process
from acp.schema import (
    AllowedOutcome,
    ClientCapabilities,
    CreateTerminalResponse,
    DeniedOutcome,
    FileSystemCapabilities,
    KillTerminalResponse,
    ReadTextFileResponse,
    ReleaseTerminalResponse,
    RequestPermissionResponse,
    TerminalExitStatus,
    TerminalOutputResponse,
    WaitForTerminalExitResponse,
    WriteTextFileResponse,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def write_config(project: Path, base: str, *, permission: dict[str, Any] | None = None,
                 models: tuple[str, ...] = ("m",)) -> None:
    """Titles go to a closed port and fall back to the first line, so they never take a scripted reply."""
    config = {
        "model": f"fake/{models[0]}",
        "small_model": "titles/m",
        "provider": {
            "fake": {"api": "openai", "base_url": base, "api_key": "sk-test", "models": {m: {} for m in models}},
            "titles": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test", "models": {"m": {}}},
        },
        "permission": permission or {},
    }
    (project / "agent-tui.json").write_text(json.dumps(config))


def agent_env(home: Path) -> dict[str, str]:
    """What the child needs on top of the SDK's trimmed environment (HOME, PATH, ...)."""
    return {
        "AGENT_TUI_HOME": str(home),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class Terminal:
    process: asyncio.subprocess.Process
    output: bytearray = field(default_factory=bytearray)
    reader: asyncio.Task[None] | None = None


class RecordingClient:
    """An ACP client that records every update, answers permission requests from a script of option ids
    ("allow_once", "allow_always", "reject_once", or None for a cancelled request), and optionally serves files
    from in-memory buffers and runs terminals as real subprocesses."""

    def __init__(self, answers: list[str | None] | None = None, buffers: dict[str, str] | None = None) -> None:
        self.updates: list[tuple[str, Any]] = []
        self.permission_requests: list[Any] = []
        self.answers = list(answers or [])
        self.buffers = dict(buffers or {})
        self.reads: list[str] = []
        self.writes: list[tuple[str, str]] = []
        self.terminals: dict[str, Terminal] = {}
        self.changed = asyncio.Condition()

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        async def wait() -> None:
            async with self.changed:
                await self.changed.wait_for(predicate)
        await asyncio.wait_for(wait(), 180)

    def of_kind(self, kind: str) -> list[Any]:
        return [u for _, u in self.updates if u.session_update == kind]

    def text(self, kind: str = "agent_message_chunk") -> str:
        return "".join(u.content.text for u in self.of_kind(kind))

    # --- Client protocol --------------------------------------------------------------------------------

    async def session_update(self, session_id: str, update: Any, **_: Any) -> None:
        self.updates.append((session_id, update))
        await self._notify()

    async def request_permission(self, session_id: str, tool_call: Any, options: list[Any], **_: Any):
        self.permission_requests.append((session_id, tool_call, options))
        await self._notify()
        answer = self.answers.pop(0) if self.answers else None
        if answer is None:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(outcome=AllowedOutcome(outcome="selected", option_id=answer))

    async def read_text_file(self, session_id: str, path: str, line: int | None = None, limit: int | None = None,
                             **_: Any) -> ReadTextFileResponse:
        self.reads.append(path)
        content = self.buffers[path] if path in self.buffers else await asyncio.to_thread(Path(path).read_text)
        return ReadTextFileResponse(content=content)

    async def write_text_file(self, session_id: str, path: str, content: str, **_: Any) -> WriteTextFileResponse:
        self.writes.append((path, content))
        self.buffers[path] = content
        return WriteTextFileResponse()

    async def create_terminal(self, session_id: str, command: str, args: list[str] | None = None,
                              env: list[Any] | None = None, cwd: str | None = None,
                              output_byte_limit: int | None = None, **_: Any) -> CreateTerminalResponse:
        environment = {**os.environ, **{v.name: v.value for v in env or []}}
        process = await asyncio.create_subprocess_exec(
            command, *(args or []), cwd=cwd, env=environment, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
        )
        terminal = Terminal(process)

        async def pump() -> None:
            assert process.stdout is not None
            while chunk := await process.stdout.read(4096):
                terminal.output += chunk

        terminal.reader = asyncio.ensure_future(pump())
        terminal_id = f"term-{len(self.terminals) + 1}"
        self.terminals[terminal_id] = terminal
        return CreateTerminalResponse(terminal_id=terminal_id)

    async def wait_for_terminal_exit(self, session_id: str, terminal_id: str, **_: Any) -> WaitForTerminalExitResponse:
        terminal = self.terminals[terminal_id]
        code = await terminal.process.wait()
        if terminal.reader is not None:
            await terminal.reader
        return WaitForTerminalExitResponse(exit_code=code if code >= 0 else None,
                                           signal=None if code >= 0 else f"SIG{-code}")

    async def terminal_output(self, session_id: str, terminal_id: str, **_: Any) -> TerminalOutputResponse:
        terminal = self.terminals[terminal_id]
        code = terminal.process.returncode
        status = TerminalExitStatus(exit_code=code) if code is not None and code >= 0 else None
        return TerminalOutputResponse(output=terminal.output.decode(errors="replace"), truncated=False,
                                      exit_status=status)

    async def kill_terminal(self, session_id: str, terminal_id: str, **_: Any) -> KillTerminalResponse:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.terminals[terminal_id].process.pid, 9)
        return KillTerminalResponse()

    async def release_terminal(self, session_id: str, terminal_id: str, **_: Any) -> ReleaseTerminalResponse:
        terminal = self.terminals[terminal_id]
        if terminal.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(terminal.process.pid, 9)
            await terminal.process.wait()
        return ReleaseTerminalResponse()


def capabilities(*, fs: bool = False, terminal: bool = False) -> ClientCapabilities:
    return ClientCapabilities(fs=FileSystemCapabilities(read_text_file=fs, write_text_file=fs), terminal=terminal)


@contextlib.asynccontextmanager
async def running_agent(
    client: RecordingClient, project: Path, home: Path, *args: str, caps: ClientCapabilities | None = None,
) -> AsyncIterator[tuple[Any, asyncio.subprocess.Process, Path]]:
    """`python -m agent_tui.cli acp` in `project`, initialized. Yields (connection, process, stderr file)."""
    stderr_path = home.parent / f"acp-stderr-{os.getpid()}-{id(client)}.txt"
    with stderr_path.open("wb") as stderr:
        async with spawn_agent_process(
            client, sys.executable, "-m", "agent_tui.cli", "acp", *args, cwd=project, env=agent_env(home),
            transport_kwargs={"stderr": stderr},
        ) as (conn, process):
            await asyncio.wait_for(
                conn.initialize(protocol_version=PROTOCOL_VERSION, client_capabilities=caps or capabilities()), 60
            )
            yield conn, process, stderr_path
