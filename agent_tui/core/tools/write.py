"""`write`: create a file or replace its whole content."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.editing import commit_edit, open_for_edit
from agent_tui.core.tools.textfile import TextFile


class WriteParams(BaseModel):
    file_path: str = Field(description="The file to write: relative to the project folder, or absolute.")
    content: str = Field(description="The complete new content of the file.")


class WriteTool(Tool):
    name = "write"
    Params = WriteParams

    async def execute(self, params: WriteParams, ctx: ToolContext) -> ToolResult:
        async with open_for_edit(ctx, params.file_path, must_exist=False) as file:
            found = file.found
            if found is None or found.mixed or not found.text:
                # A new (or empty) file, or one mixing endings: the endings the model wrote.
                file.format = TextFile.new(params.content)
                if found is not None:
                    file.format.codec, file.format.bom = found.codec, found.bom
                new_content = file.format.text
            else:
                # Overwriting keeps the file's encoding and line endings; the final newline is the model's.
                new_content = found.from_model(params.content)
            if found is not None and file.format.encode(new_content) == found.raw:
                raise ToolError(f"{file.shown} already has exactly this content; nothing was written.")
            verb = "Create" if found is None else "Overwrite"
            summary = await commit_edit(ctx, file, new_content, verb=verb)
        lines = new_content.count("\n") + (0 if new_content.endswith("\n") or not new_content else 1)
        action = "Created" if found is None else "Overwrote"
        return ToolResult(
            title=file.shown,
            output=f"{action} {file.shown} ({lines} lines).",
            metadata={"path": str(file.path), "created": found is None, **summary.metadata()},
        )
