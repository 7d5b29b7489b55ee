"""Small real tools for engine tests (they implement the real Tool interface; nothing is mocked)."""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult


class EchoParams(BaseModel):
    text: str


class EchoTool(Tool):
    name = "echo"
    Params = EchoParams

    async def execute(self, params: EchoParams, ctx: ToolContext) -> ToolResult:
        if params.text == "fail":
            raise ToolError("echo was asked to fail")
        return ToolResult(title=f"echo {params.text}", output=params.text.upper())


class SleepParams(BaseModel):
    seconds: float


class SleepTool(Tool):
    """Sleeps; records when it ran so tests can tell that calls of one step overlap."""

    name = "sleep"
    Params = SleepParams

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self.started = asyncio.Event()

    async def execute(self, params: SleepParams, ctx: ToolContext) -> ToolResult:
        start = time.monotonic()
        self.started.set()
        ctx.update("sleeping", {"progress": "started"})
        await asyncio.sleep(params.seconds)
        self.spans.append((start, time.monotonic()))
        return ToolResult(output=f"slept {params.seconds}")


class CrashTool(Tool):
    name = "crash"
    Params = EchoParams

    async def execute(self, params: EchoParams, ctx: ToolContext) -> ToolResult:
        raise RuntimeError("boom")
