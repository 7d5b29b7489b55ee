"""`edit`: replace one exact piece of text in a file (or every occurrence with `replace_all`)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from agent_tui.core.tools import fuzzy_match
from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.editing import commit_edit, load_for_edit, to_lf


class EditParams(BaseModel):
    file_path: str = Field(description="The file to change: relative to the project folder, or absolute.")
    old_string: str = Field(description="The exact text to replace (copied from the file, without line numbers).")
    new_string: str = Field(description="The text to put in its place (must differ from old_string).")
    replace_all: bool = Field(default=False, description="Replace every occurrence instead of exactly one.")


class EditTool(Tool):
    name = "edit"
    Params = EditParams

    async def execute(self, params: EditParams, ctx: ToolContext) -> ToolResult:
        creating = params.old_string == ""
        file = await load_for_edit(ctx, params.file_path, must_exist=not creating)
        if creating:
            if file.content is not None and file.content.strip():
                raise ToolError(
                    f"old_string is empty but {file.shown} already exists and is not empty. "
                    "Give the exact text to replace."
                )
            new_content, file.crlf = to_lf(params.new_string)
            count, strategy = 1, "new file"
        else:
            assert file.content is not None
            old, _ = to_lf(params.old_string)
            new, _ = to_lf(params.new_string)
            try:
                # A thread: the nearest-candidate search on a big file is CPU work.
                replaced = await asyncio.to_thread(
                    fuzzy_match.replace, file.content, old, new, replace_all=params.replace_all
                )
            except ToolError as exc:
                raise ToolError(f"{file.shown}: {exc}") from exc
            new_content, count, strategy = replaced.content, replaced.count, replaced.strategy
        summary = await commit_edit(ctx, file, new_content, verb="Edit")
        note = "" if strategy in ("exact", "new file") else f" (matched {strategy})"
        what = f"{count} occurrences" if count > 1 else "1 occurrence"
        output = f"Edited {file.shown}: replaced {what}{note}. +{summary.additions} -{summary.deletions} lines."
        return ToolResult(
            title=file.shown,
            output=output,
            metadata={"path": str(file.path), "replacements": count, "match": strategy, **summary.metadata()},
        )
