"""`task`: hand a self-contained job to a sub-agent in a child session and get its final answer back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult


class TaskParams(BaseModel):
    description: str = Field(description="A short (3-5 words) name for the job, shown to the user.")
    prompt: str = Field(description="Everything the sub-agent needs to know to do the job and what to report back.")


class TaskTool(Tool):
    name = "task"
    Params = TaskParams

    async def execute(self, params: TaskParams, ctx: ToolContext) -> ToolResult:
        if not params.prompt.strip():
            raise ToolError("The prompt is empty; describe the job for the sub-agent.")
        if ctx.agent_depth > 0:
            raise ToolError("A sub-agent cannot start another sub-agent; do the work yourself.")
        if ctx.host is None:
            raise ToolError("Sub-agents are not available in this context.")
        result = await ctx.host.run_subagent(ctx, params.description.strip() or "task", params.prompt)
        ctx.update(None, {"session_id": result.session_id})
        text = result.text.strip() or "(The sub-agent finished without a final answer.)"
        return ToolResult(
            title=params.description,
            output=text,
            metadata={"session_id": result.session_id, "description": params.description},
        )
