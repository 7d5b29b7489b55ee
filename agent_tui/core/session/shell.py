"""`!command` typed by the user: run it in the project and keep its output as context for the model.

The command runs through the `bash` tool itself (its own process group, live output, the whole tree killed on
abort or timeout, huge output truncated and spooled), without a permission prompt: the user typed it. It is stored
as a user message holding the tool call (which the transcript shows as a bash panel) and a synthetic text part
with the command and its output, which the model reads with the next message, as opencode does.

The session's run lock is held while the command runs, so Esc stops it and a reply cannot start meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from agent_tui.core import ids
from agent_tui.core.models import MessageWithParts, TextPart, ToolPart, ToolState, UserMessage, now_ms
from agent_tui.core.tools.base import PermissionRequest, ToolContext, ToolError
from agent_tui.core.tools.bash import BashParams, BashTool

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService

MODEL_OUTPUT_CHARS = 30_000  # what the model reads of the output; the panel keeps the bash tool's own view


def context_text(command: str, output: str, exit_code: int | None) -> str:
    """What the model reads: the command, how it ended and its output."""
    if len(output) > MODEL_OUTPUT_CHARS:
        output = output[:MODEL_OUTPUT_CHARS] + "\n[... output cut for the conversation ...]"
    status = f"exit code {exit_code}" if exit_code is not None else "stopped"
    return (
        "The user ran this shell command in the project folder (this is context, not a request):\n"
        f"$ {command}\n({status})\n```\n{output}\n```"
    )


async def run_shell(service: SessionService, session_id: str, command: str) -> MessageWithParts:
    """Run `command` for the session; returns the stored message. Raises BusyError, SessionNotFound."""
    command = command.strip()
    if not command:
        raise ValueError("The command is empty.")
    service._require(session_id)
    run = service._acquire(session_id)
    writer = service._writer
    try:
        user = UserMessage(session_id=session_id)
        writer.message(user)
        part = ToolPart(
            session_id=session_id, message_id=user.id, call_id=ids.ascending("shell"), tool="bash",
            state=ToolState(status="running", input={"command": command}, title=command[:200],
                            metadata={"command": command, "shell": True}, time_start=now_ms()),
        )
        writer.part(part)

        def update(title: str | None, metadata: dict[str, object]) -> None:
            part.state.metadata.update(service._scrub.value(metadata))
            writer.part(part, force=False)

        async def allow(request: PermissionRequest) -> None:
            return None  # typed by the user: no question to ask

        ctx = ToolContext(
            session_id=session_id, message_id=user.id, call_id=part.call_id, directory=service.project.directory,
            root=service.project.root, abort=run.abort, ask=allow, update=update,
            file_times=service.file_times(session_id), host=service, scrub=service._scrub,
        )
        exit_code: int | None = None
        try:
            # Checkpointed like a model's tool call, so undo and redo cover what the command changed.
            async with service.checkpoints.around_step(user, ["bash"]):
                result = await BashTool().execute(BashParams(command=command), ctx)
            output = service._scrub.text(result.output)
            part.state.metadata.update(service._scrub.value(result.metadata))
            exit_code = result.metadata.get("exit_code")  # type: ignore[assignment]
            part.state.status = "error" if result.metadata.get("aborted") else "completed"
            part.state.output = output
            if part.state.status == "error":
                part.state.error = "Stopped."
        except ToolError as exc:
            output = str(exc)
            part.state.status, part.state.error = "error", output
        except asyncio.CancelledError:
            part.state.status, part.state.error = "error", "Stopped."
            part.state.time_end = now_ms()
            writer.part(part)
            raise
        part.state.time_end = now_ms()
        part.state.metadata["running"] = False
        writer.part(part)
        note = TextPart(session_id=session_id, message_id=user.id, synthetic=True,
                        text=context_text(command, output, exit_code))
        writer.part(note)
        user.time.completed = now_ms()
        writer.message(user)
        writer.flush()
        session = service._require(session_id)
        service._touch(session)
        return MessageWithParts(info=user, parts=[part, note])
    finally:
        service._release(run)
