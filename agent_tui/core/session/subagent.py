"""The `task` tool's host: run a sub-agent in a child session and bring its final answer back.

The child session stores the sub-agent's name, so its turn runs with that agent's prompt, tools, permissions
and model; the parent's tool panel follows the child's tool calls as they happen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_tui.core.events import PartUpdated
from agent_tui.core.models import MessageWithParts, ToolPart
from agent_tui.core.tools.base import SubagentResult, ToolContext, ToolError

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService


async def run_subagent(service: SessionService, ctx: ToolContext, description: str, prompt: str,
                       agent_name: str | None = None) -> SubagentResult:
    agent = service.agents.find(agent_name) if agent_name else service.agents.default_subagent()
    if agent is None or not agent.subagent:
        names = ", ".join(a.name for a in service.agents.subagents())
        raise ToolError(f"No sub-agent named '{agent_name}'. Sub-agents: {names}.")
    parent = service.get(ctx.session_id)
    if parent is None:
        raise ToolError("The session of this call no longer exists.")
    child = service.create(title=description, parent_id=parent.id, agent=agent.name, wait=False)
    steps: list[dict[str, str]] = []
    ctx.update(None, {"session_id": child.id, "steps": steps, "agent": agent.name})

    def progress(event: PartUpdated) -> None:
        part = event.part
        if part.session_id != child.id or not isinstance(part, ToolPart):
            return
        entry = {"id": part.id, "tool": part.tool, "title": part.state.title or "", "status": part.state.status}
        for index, existing in enumerate(steps):
            if existing["id"] == part.id:
                steps[index] = entry
                break
        else:
            steps.append(entry)
        ctx.update(None, {"session_id": child.id, "steps": list(steps)})

    unsubscribe = service.bus.subscribe(PartUpdated, progress)
    try:
        # The sub-agent's own model wins; otherwise it uses the parent's.
        reply = await service.chat(child.id, prompt, model=agent.model or parent.model, _depth=ctx.agent_depth + 1)
    finally:
        unsubscribe()
    text = MessageWithParts(info=reply, parts=[p for m in service.messages(child.id) if m.info.id == reply.id
                                               for p in m.parts]).text()
    if reply.error is not None and not text:
        raise ToolError(f"The sub-agent failed: {reply.error.message}")
    return SubagentResult(session_id=child.id, text=text or "(the sub-agent finished without a reply)")
