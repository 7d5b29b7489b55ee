"""`write`: create a file or replace its whole content."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.editing import commit_edit, load_for_edit, to_lf


class WriteParams(BaseModel):
    file_path: str = Field(description="The file to write: relative to the project folder, or absolute.")
    content: str = Field(description="The complete new content of the file.")


class WriteTool(Tool):
    name = "write"
    Params = WriteParams

    async def execute(self, params: WriteParams, ctx: ToolContext) -> ToolResult:
        file = await load_for_edit(ctx, params.file_path, must_exist=False)
        new_content, new_is_crlf = to_lf(params.content)
        if file.content is not None and new_content == file.content and new_is_crlf == file.crlf:
            raise ToolError(f"{file.shown} already has exactly this content; nothing was written.")
        file.crlf = new_is_crlf  # a full rewrite keeps the line endings the model wrote
        summary = await commit_edit(ctx, file, new_content, verb="Create" if file.content is None else "Overwrite")
        lines = new_content.count("\n") + (0 if new_content.endswith("\n") or not new_content else 1)
        action = "Created" if file.content is None else "Overwrote"
        return ToolResult(
            title=file.shown,
            output=f"{action} {file.shown} ({lines} lines).",
            metadata={"path": str(file.path), "created": file.content is None, **summary.metadata()},
        )
