"""How a `!command` run (core/session/shell.py) was typed, read back from its stored user message.

Its message holds no typed text part (the command is in the bash tool part, the context for the model in a
synthetic part), so places that show or refill what the user typed (an undone turn, the revert picker, the
prompt after undo) ask here. Kept apart from shell.py so that front ends need not import the bash tool.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent_tui.core.models import Part, ToolPart


def typed_shell_command(parts: Sequence[Part]) -> str | None:
    """`!command` as the user typed it, when these are the parts of a shell run's message; else None."""
    for part in parts:
        if isinstance(part, ToolPart) and part.state.metadata.get("shell") is True:
            command = part.state.input.get("command")
            return f"!{command}" if isinstance(command, str) else None
    return None
