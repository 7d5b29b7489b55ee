"""Agents: built-in (`build`, `plan`, `general`) and defined in Markdown files; see registry.py."""

from agent_tui.core.agents.builtin import DEFAULT_AGENT, DEFAULT_SUBAGENT
from agent_tui.core.agents.definition import AgentDefinition, AgentMode
from agent_tui.core.agents.registry import AgentRegistry, UnknownAgent, agent_folders

__all__ = [
    "DEFAULT_AGENT",
    "DEFAULT_SUBAGENT",
    "AgentDefinition",
    "AgentMode",
    "AgentRegistry",
    "UnknownAgent",
    "agent_folders",
]
