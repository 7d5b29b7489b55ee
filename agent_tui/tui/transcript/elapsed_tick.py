"""The once-a-second repaint of running tool calls ("running 12s"); the timer exists only while one runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.timer import Timer

from agent_tui.tui.transcript.blocks import Block, ToolBlock


def running_tools(blocks: list[Block]) -> list[ToolBlock]:
    return [block for block in blocks if isinstance(block, ToolBlock) and block.running]


class ElapsedTick:
    """Starts and stops a 1 s interval on the widget as tool calls start and finish."""

    def __init__(self, start_interval: Callable[[float, Callable[[], None]], Timer],
                 on_tick: Callable[[list[ToolBlock]], None]) -> None:
        self._start_interval = start_interval
        self._on_tick = on_tick
        self._blocks: list[Block] = []
        self.timer: Timer | None = None

    def update(self, blocks: list[Block], changed: Iterable[Block] | None = None) -> None:
        """After a frame. `changed`: the blocks re-rendered in it (None: the list itself may have changed)."""
        if changed is not None and blocks is self._blocks and not any(isinstance(b, ToolBlock) for b in changed):
            return  # no tool call started or ended: skip the walk over every block of a long session
        self._blocks = blocks
        running = any(block.part.state.status == "running" for block in running_tools(blocks))
        if running and self.timer is None:
            self.timer = self._start_interval(1.0, self._tick)
        elif not running and self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _tick(self) -> None:
        self._on_tick(running_tools(self._blocks))
