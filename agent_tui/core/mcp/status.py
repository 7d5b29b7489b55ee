"""The state of one MCP server, as shown by `agent-tui mcp list` and the TUI's status view."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ServerState = Literal["disabled", "starting", "ready", "failed", "stopped"]


class McpServerStatus(BaseModel):
    name: str
    type: Literal["local", "remote"]
    status: ServerState
    tools: int = 0
    error: str | None = None
    tool_names: list[str] = Field(default_factory=list)  # the names the model sees (SERVER_TOOL)


class McpToolSpec(BaseModel):
    """One tool as the server described it (kept free of SDK types so `tool.py` need not import the SDK)."""

    name: str
    description: str | None = None
    input_schema: dict[str, object] = Field(default_factory=dict)
    read_only: bool = False  # the server's `readOnlyHint`: such tools run without asking by default

