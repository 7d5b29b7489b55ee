"""The built-in agents: `build` (everything, as configured), `plan` (read-only) and `general` (the `task` tool's
default sub-agent)."""

from __future__ import annotations

from agent_tui.core.agents.definition import AgentDefinition
from agent_tui.core.config import PermissionConfig
from agent_tui.resources import read_prompt

DEFAULT_AGENT = "build"
DEFAULT_SUBAGENT = "general"


def builtin_agents() -> list[AgentDefinition]:
    return [
        AgentDefinition(
            name="build", mode="primary", builtin=True, color="$primary",
            description="The default agent: reads, edits and runs commands as the permission rules allow.",
        ),
        AgentDefinition(
            name="plan", mode="primary", builtin=True, color="$warning", read_only=True,
            description="Read-only: studies the code and proposes a plan; edits are denied, commands that "
            "change things ask (destructive ones are denied).",
            prompt=read_prompt("agents/plan.md"),
            permission=PermissionConfig(edit="deny"),
        ),
        AgentDefinition(
            name="general", mode="subagent", builtin=True, color="$secondary",
            description="General-purpose agent for researching complex questions and doing multi-step jobs "
            "in a fresh context.",
        ),
    ]
