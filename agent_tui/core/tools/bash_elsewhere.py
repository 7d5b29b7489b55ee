"""`bash` through a front end's command runner (an editor's terminal over ACP) instead of our own process.

The permission check and argument checks have already run in `bash`; this part only runs the command and words
the result the same way, so the model cannot tell where the command ran.
"""

from __future__ import annotations

import time

from agent_tui.core.tools.base import ToolContext, ToolResult


async def run_elsewhere(
    ctx: ToolContext, command: str, description: str, time_limit: float, clamped: bool, env: dict[str, str]
) -> ToolResult:
    assert ctx.commands is not None
    meta_base: dict[str, object] = {"command": command, "description": description}

    def started(terminal_id: str) -> None:
        meta_base["terminal_id"] = terminal_id
        ctx.update(None, {**meta_base, "running": True})

    begun = time.monotonic()
    outcome = await ctx.commands.run(
        command, cwd=ctx.directory, env=env, time_limit=time_limit, abort=ctx.abort, started=started
    )
    text = outcome.output.rstrip("\n") or "(no output)"
    notes: list[str] = []
    if clamped:
        notes.append(f"(timeout limited to the maximum of {time_limit:.0f} s)")
    if outcome.truncated:
        notes.insert(0, "(only the end of the output was kept)")
    if outcome.timed_out:
        notes.append(
            f"Command timed out after {time_limit:g} s and was killed. Run long tasks in the background with output "
            "to a file, or pass a larger timeout."
        )
    elif outcome.aborted:
        notes.append("Command was aborted by the user and killed.")
    elif outcome.signal:
        notes.append(f"Command was ended by signal {outcome.signal}.")
    elif outcome.exit_code:
        notes.append(f"Exit code {outcome.exit_code}.")
    metadata = {
        **meta_base,
        "output": outcome.output[-30_000:],
        "exit_code": outcome.exit_code,
        "timed_out": outcome.timed_out,
        "aborted": outcome.aborted,
        "running": False,
        "duration_ms": int((time.monotonic() - begun) * 1000),
    }
    return ToolResult(
        title=description or command[:80],
        output=text + ("\n\n" + "\n".join(notes) if notes else ""),
        metadata=metadata,
    )
