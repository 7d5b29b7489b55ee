"""`McpTool`: one tool of an MCP server, offered to the model like a built-in tool.

Its name is `SERVER_TOOL` (sanitised), its parameters are the server's input JSON schema passed through, and its
description is the server's. Arguments go to the server as the model wrote them, after the permission check
(permission "mcp", judged on the tool's name; read-only tools by the server's annotations are allowed by default).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import RootModel

from agent_tui.core.mcp.errors import McpCallError
from agent_tui.core.mcp.results import to_tool_result
from agent_tui.core.mcp.server import McpConnection
from agent_tui.core.mcp.status import McpToolSpec
from agent_tui.core.tools.base import PermissionRequest, Tool, ToolContext, ToolError, ToolResult


class McpArguments(RootModel[dict[str, Any]]):
    """Any JSON object: the server validates its own arguments."""


class McpTool(Tool):
    Params = McpArguments

    def __init__(self, name: str, spec: McpToolSpec, connection: McpConnection) -> None:
        self.name = name  # type: ignore[misc]  # per instance here; a ClassVar on built-in tools
        self.spec = spec
        self.connection = connection

    @property
    def server(self) -> str:
        return self.connection.name

    @property
    def description(self) -> str:
        return self.spec.description or f"Tool '{self.spec.name}' of the MCP server '{self.server}'."

    def schema(self) -> dict[str, Any]:
        parameters = dict(self.spec.input_schema) or {"type": "object", "properties": {}}
        parameters.pop("$schema", None)  # metadata, not a constraint; some providers reject the key
        parameters.setdefault("type", "object")
        if parameters.get("type") == "object":
            parameters.setdefault("properties", {})
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": parameters},
        }

    def title_for(self, params: dict[str, Any]) -> str:
        detail = super().title_for(params)
        return f"{self.server} · {self.spec.name}" + (f": {detail}" if detail else "")

    async def execute(self, params: Any, ctx: ToolContext) -> ToolResult:
        arguments = params.root if isinstance(params, McpArguments) else dict(params or {})
        await ctx.ask(
            PermissionRequest(
                permission="mcp",
                title=self.title_for(arguments),
                patterns=[self.name],
                metadata={"server": self.server, "tool": self.spec.name, "read_only": self.spec.read_only,
                          "arguments": arguments},
            )
        )
        call = asyncio.ensure_future(self.connection.call(self.spec.name, arguments))
        aborted = asyncio.ensure_future(ctx.abort.wait())
        try:
            await asyncio.wait({call, aborted}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            aborted.cancel()
            if not call.done():
                call.cancel()
        if not call.done() or call.cancelled():
            raise ToolError(f"The call to '{self.name}' was aborted.")
        try:
            result = call.result()
        except McpCallError as exc:
            raise ToolError(str(exc)) from exc
        metadata = {"mcp_server": self.server, "mcp_tool": self.spec.name}
        return to_tool_result(result, title=self.title_for(arguments), metadata=metadata)
