"""`task`: hand a self-contained job to a sub-agent in a child session and get its final answer back.

The description sent to the model lists the sub-agents (built-in `general` and any defined in Markdown with
mode `subagent` or `all`) by name and description; the chosen one runs with its own tools, permissions and model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult, load_description

if TYPE_CHECKING:
    from agent_tui.core.agents import AgentDefinition


class TaskParams(BaseModel):
    description: str = Field(description="A short (3-5 words) name for the job, shown to the user.")
    prompt: str = Field(description="Everything the sub-agent needs to know to do the job and what to report back.")
    agent: str | None = Field(
        default=None, description="The sub-agent to run, by name (see the list in the description); "
        "default: general.",
    )


class TaskTool(Tool):
    name = "task"
    Params = TaskParams

    def __init__(self) -> None:
        # Set by the session service: the sub-agents to offer (None: only the default one, unnamed).
        self.list_subagents: Callable[[], list[AgentDefinition]] | None = None

    @property
    def description(self) -> str:
        text = load_description(self.name)
        agents = self.list_subagents() if self.list_subagents is not None else []
        if not agents:
            return text
        lines = [f"- {a.name}: {a.description or '(no description)'}" for a in agents]
        return text + "\n\nSub-agents (pass the name as `agent`):\n" + "\n".join(lines)

    async def execute(self, params: TaskParams, ctx: ToolContext) -> ToolResult:
        if not params.prompt.strip():
            raise ToolError("The prompt is empty; describe the job for the sub-agent.")
        if ctx.agent_depth > 0:
            raise ToolError("A sub-agent cannot start another sub-agent; do the work yourself.")
        if ctx.host is None:
            raise ToolError("Sub-agents are not available in this context.")
        agent = (params.agent or "").strip() or None
        result = await ctx.host.run_subagent(ctx, params.description.strip() or "task", params.prompt, agent)
        ctx.update(None, {"session_id": result.session_id})
        text = result.text.strip() or "(The sub-agent finished without a final answer.)"
        return ToolResult(
            title=params.description,
            output=text,
            metadata={"session_id": result.session_id, "description": params.description,
                      **({"agent": agent} if agent else {})},
        )
