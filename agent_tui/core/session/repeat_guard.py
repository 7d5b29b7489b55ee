"""Stop a turn when the model repeats the same failing tool call: same tool, same arguments, same error, three
times in a row. Without it a confused model can burn hundreds of identical calls (and their cost) on one error.

The loop feeds every finished step's calls in the order the model made them; a call that succeeds, or that
differs, starts the count again. When the limit is reached the failing call's result tells the model why the
turn stopped, and the turn ends with an error the user sees.
"""

from __future__ import annotations

import json
from typing import Any

from agent_tui.core.models import MessageError, ToolPart

LIMIT = 3


def _key(part: ToolPart) -> tuple[str, str, str]:
    try:
        arguments = json.dumps(part.state.input, sort_keys=True, default=str)
    except (TypeError, ValueError):
        arguments = repr(part.state.input)
    return part.tool, arguments, part.state.error or ""


class RepeatedFailures:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._last: tuple[str, str, str] | None = None
        self._count = 0

    def observe(self, part: ToolPart) -> bool:
        """Count one finished call; True when it is the `limit`-th identical failure in a row."""
        if part.state.status != "error":
            self._last, self._count = None, 0
            return False
        key = _key(part)
        self._count = self._count + 1 if key == self._last else 1
        self._last = key
        return self._count >= self.limit

    def check_step(self, parts: list[ToolPart], write: Any) -> MessageError | None:
        """After a step: the error that ends the turn, or None. `write(part)` stores the noted part."""
        for part in parts:
            if self.observe(part):
                part.state.error = (
                    f"{part.state.error}\n\nThis exact call has now failed {self.limit} times in a row, so the "
                    "turn was stopped. Do not repeat it: change the arguments, try another way, or ask the user."
                )
                write(part)
                return MessageError(
                    kind="unknown",
                    message=f"Stopped: the model made the same failing '{part.tool}' call {self.limit} times in a "
                    "row. Send a message to guide it, or try another model.",
                )
        return None
