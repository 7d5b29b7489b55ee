"""What an agent is: a prompt, the tools it is offered, permission overrides, and optionally its own model.

Built-in agents (`build`, `plan`, `general`) and Markdown-defined ones share this one model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_tui.core.config import PermissionConfig
from agent_tui.core.permission import wildcard_match

AgentMode = Literal["primary", "subagent", "all"]

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class AgentDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    # primary: switched to by the user (Tab, /agent, --agent); subagent: run by the `task` tool; all: both.
    mode: AgentMode = "all"
    prompt: str | None = None  # replaces the model family's system prompt; None keeps it
    tools: list[str] | None = None  # only these tools (wildcards allowed) are offered; None: every tool
    permission: PermissionConfig = Field(default_factory=PermissionConfig)
    # Bash commands are allowed only when they only read; others ask (destructive ones are denied).
    read_only: bool = False
    model: str | None = None  # provider/model; None: the session's model
    temperature: float | None = Field(default=None, ge=0, le=2)
    color: str | None = None  # the prompt border and the status line's agent name
    builtin: bool = False
    source: Path | None = None  # the Markdown file it came from

    @property
    def primary(self) -> bool:
        return self.mode in ("primary", "all")

    @property
    def subagent(self) -> bool:
        return self.mode in ("subagent", "all")

    def offers(self, tool_name: str) -> bool:
        """Whether the tool is offered to the model under this agent."""
        if self.tools is None:
            return True
        return any(wildcard_match(pattern, tool_name) for pattern in self.tools)
