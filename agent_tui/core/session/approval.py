"""While a tool waits for the user's approval: say so on its part (the panel and the status line show "waiting
for approval"), and keep the wait out of the tool's duration (its start moves on by the time waited, and the
wait is recorded as `approval_wait_ms`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from agent_tui.core.models import ToolPart

WAITING = "waiting_for_approval"
WAITED_MS = "approval_wait_ms"


class ApprovalClock:
    """Called with True when a permission question about `part` is put to the user, False when answered."""

    def __init__(self, part: ToolPart, write: Callable[[ToolPart], None]) -> None:
        self.part = part
        self.write = write
        self._since: float | None = None

    def __call__(self, waiting: bool) -> None:
        state = self.part.state
        if waiting:
            self._since = time.monotonic()
            state.metadata[WAITING] = True
        else:
            waited = int((time.monotonic() - (self._since or time.monotonic())) * 1000)
            self._since = None
            state.metadata.pop(WAITING, None)
            state.metadata[WAITED_MS] = int(state.metadata.get(WAITED_MS, 0)) + waited
            if state.time_start is not None:
                state.time_start += waited
        self.write(self.part)
