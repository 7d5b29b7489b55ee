"""`bash`: run a shell command in the project folder, streaming its output to the panel while it runs.

The command is the leader of its own process group, so a timeout or an abort ends every process it started.
stdin is /dev/null (a command must never read the TUI's keyboard). stdout and stderr are merged. Huge output
keeps its head and its tail in memory; the whole of it is spooled to a file the model is told about.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import shutil
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent_tui.core.secrets import SecretScrubber
from agent_tui.core.tools.base import PermissionRequest, Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.bash_paths import ask_for_paths
from agent_tui.core.tools.orphans import child_preexec, reaper
from agent_tui.core.tools.process import group_alive, kill_group
from agent_tui.core.tools.shell import parse
from agent_tui.core.tools.spool import ScrubbedSpool
from agent_tui.core.tools.truncate import saved_output_path

DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 600.0
HEAD_CHARS = 10_000
TAIL_CHARS = 30_000
PANEL_CHARS = 30_000
MAX_LINES = 1500  # beyond this the head and tail are shown and the whole output is spooled to a file
HEAD_LINES = 100
TAIL_LINES = 1000
UPDATE_INTERVAL = 0.1  # at most ~10 live updates a second
# After the shell exits, how long to wait for background children still holding the output pipe.
DRAIN_GRACE = 0.5
KILL_GRACE = 2.0  # between SIGTERM and SIGKILL
COMMAND_ENV = {"TERM": "dumb", "PAGER": "cat", "GIT_PAGER": "cat", "NO_COLOR": "1"}  # no pagers, no colours


class BashParams(BaseModel):
    command: str = Field(description="The command to run (bash syntax). It runs in the project folder.")
    timeout: float | None = Field(
        default=None,
        description=f"Seconds before the command is killed (default {DEFAULT_TIMEOUT:.0f}, max {MAX_TIMEOUT:.0f}).",
    )
    description: str | None = Field(
        default=None, description="What the command does, in 5-10 words (shown to the user)."
    )


class _Output:
    """Keeps the first and last parts of a stream; spools everything to a file once it gets large."""

    def __init__(self, spool_path: Path, scrub: SecretScrubber | None = None) -> None:
        self.head = ""
        self.tail = ""
        self.total = 0
        self.lines = 0
        self.spool_path = spool_path
        self._spool: ScrubbedSpool | None = None
        self._scrub = scrub
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes, final: bool = False) -> None:
        text = self._decoder.decode(data, final)
        if not text:
            return
        self.total += len(text)
        self.lines += text.count("\n")
        if self._spool is None and (self.total > HEAD_CHARS + TAIL_CHARS or self.lines > MAX_LINES):
            self._spool = ScrubbedSpool(self.spool_path, self._scrub)  # private, secrets replaced
            self._spool.write(self.head + self.tail)  # everything so far: nothing was dropped yet
        if self._spool is not None:
            self._spool.write(text)
        if len(self.head) < HEAD_CHARS:
            room = HEAD_CHARS - len(self.head)
            self.head += text[:room]
            text = text[room:]
        if text:
            self.tail = (self.tail + text)[-TAIL_CHARS:]

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    @property
    def spooled(self) -> bool:
        return self._spool is not None

    def live(self) -> str:
        return (self.head + self.tail)[-PANEL_CHARS:]

    def render(self) -> str:
        if not self.spooled:
            return self.head + self.tail
        contiguous = self.total == len(self.head) + len(self.tail)
        head_lines = (self.head + self.tail if contiguous else self.head).split("\n")
        tail_lines = head_lines if contiguous else self.tail.split("\n")
        shown_head = head_lines[:HEAD_LINES]
        shown_tail = tail_lines[-TAIL_LINES:]
        note = (
            f"[... output too long: showing the first {len(shown_head)} and the last {len(shown_tail)} lines "
            f"of about {self.lines:,}. The whole output is saved at {self.spool_path}; "
            "read parts of it with the read tool (offset) or search it with grep ...]"
        )
        return "\n".join([*shown_head, "", note, "", *shown_tail])


def _shell() -> list[str]:
    bash = shutil.which("bash")
    return [bash, "-c"] if bash else ["/bin/sh", "-c"]


class BashTool(Tool):
    name = "bash"
    Params = BashParams

    def title_for(self, params: dict[str, Any]) -> str:
        command = params.get("command")
        if isinstance(command, str) and command:
            return command if len(command) <= 80 else command[:79] + "…"
        return super().title_for(params)

    async def execute(self, params: BashParams, ctx: ToolContext) -> ToolResult:
        command = params.command
        if not command.strip():
            raise ToolError("The command is empty.")
        timeout = DEFAULT_TIMEOUT if params.timeout is None else float(params.timeout)
        if timeout <= 0:
            raise ToolError("timeout must be a positive number of seconds.")
        clamped = timeout > MAX_TIMEOUT
        timeout = min(timeout, MAX_TIMEOUT)
        await ctx.ask(
            PermissionRequest(
                permission="bash",
                title=command if len(command) <= 200 else command[:199] + "…",
                patterns=[command],
                metadata={"command": command, "description": params.description or ""},
            )
        )
        # Files it writes by redirection are edits; paths it names outside the project ask like the file tools.
        await ask_for_paths(ctx, command, parse(command))
        if not ctx.directory.is_dir():
            raise ToolError(f"The working folder {ctx.directory} does not exist.")
        if ctx.commands is not None:  # the front end's terminal (an editor over ACP)
            from agent_tui.core.tools.bash_elsewhere import run_elsewhere

            return await run_elsewhere(ctx, command, params.description or "", timeout, clamped, COMMAND_ENV)

        output = _Output(saved_output_path(ctx.session_id, f"{ctx.call_id}-bash"), ctx.scrub)
        env = {**os.environ, **COMMAND_ENV}
        try:
            proc = await asyncio.create_subprocess_exec(
                *_shell(), command,
                cwd=ctx.directory,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                env=env,
                preexec_fn=child_preexec(),  # the shell dies with us, even on SIGKILL (see orphans)
            )
        except OSError as exc:
            raise ToolError(f"Could not start the shell: {exc}") from exc
        reaper.watch(proc.pid)  # and so does every process it starts

        started = time.monotonic()
        last_update = 0.0
        meta_base = {"command": command, "description": params.description or ""}

        async def pump() -> None:
            nonlocal last_update
            assert proc.stdout is not None
            while chunk := await proc.stdout.read(65536):
                output.feed(chunk)
                now = time.monotonic()
                if now - last_update >= UPDATE_INTERVAL:
                    last_update = now
                    ctx.update(None, {**meta_base, "output": output.live(), "running": True})
            output.feed(b"", final=True)

        async def exited() -> None:
            # Not `proc.wait()`: on Python 3.11 it only returns once every pipe is closed, which a background
            # child (`server &`) can delay for ever. `returncode` is set as soon as the shell is reaped.
            delay = 0.005
            while proc.returncode is None:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)

        pump_task = asyncio.create_task(pump())
        exit_task = asyncio.create_task(exited())
        abort_task = asyncio.create_task(ctx.abort.wait())
        timed_out = aborted = False
        killed_hard = False
        try:
            done, _ = await asyncio.wait({exit_task, abort_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if exit_task not in done:
                aborted = abort_task in done
                timed_out = not aborted
                killed_hard = await kill_group(proc.pid, grace=KILL_GRACE)
            await asyncio.wait({exit_task}, timeout=5)
            # Background children may keep the pipe open; give them a moment, then stop reading.
            await asyncio.wait({pump_task}, timeout=DRAIN_GRACE)
        except asyncio.CancelledError:
            await kill_group(proc.pid, grace=0.5)
            raise
        finally:
            abort_task.cancel()
            if not pump_task.done():
                pump_task.cancel()
                # Background children still hold the pipe: stop reading it (asyncio has no public close).
                transport = getattr(proc, "_transport", None)
                if transport is not None:
                    transport.close()
            output.close()
            exit_task.cancel()
            if not group_alive(proc.pid):  # background children (`server &`) stay watched while they live
                reaper.forget(proc.pid)

        elapsed = time.monotonic() - started
        exit_code = proc.returncode
        text = output.render().rstrip("\n")
        notes: list[str] = []
        if clamped:
            notes.append(f"(timeout limited to the maximum of {MAX_TIMEOUT:.0f} s)")
        if timed_out:
            notes.append(
                f"Command timed out after {timeout:g} s and was killed, with every process it started"
                f"{' (SIGKILL needed)' if killed_hard else ''}. Run long tasks in the background with output "
                "to a file, or pass a larger timeout."
            )
        elif aborted:
            notes.append("Command was aborted by the user; it and every process it started were killed.")
        elif exit_code:
            notes.append(f"Exit code {exit_code}.")
        if not text:
            text = "(no output)"
        result_text = text + ("\n\n" + "\n".join(notes) if notes else "")
        metadata = {
            **meta_base,
            "output": output.live(),
            "exit_code": exit_code,
            "timed_out": timed_out,
            "aborted": aborted,
            "running": False,
            "duration_ms": int(elapsed * 1000),
        }
        if output.spooled:
            metadata["output_path"] = str(output.spool_path)
        return ToolResult(title=params.description or command[:80], output=result_text, metadata=metadata)
