"""`edit`: replace one exact piece of text in a file (or every occurrence with `replace_all`)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from agent_tui.core.tools import fuzzy_match
from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.editing import commit_edit, open_for_edit
from agent_tui.core.tools.textfile import TextFile

BOTH_EMPTY = (
    "old_string and new_string are both empty: there is nothing to replace and nothing to write. "
    "Give the exact text to replace in old_string, or the content of a new file in new_string."
)


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
        if creating and params.new_string == "":
            raise ToolError(BOTH_EMPTY)
        async with open_for_edit(ctx, params.file_path, must_exist=not creating) as file:
            if creating:
                if file.content is not None and file.content.strip():
                    raise ToolError(
                        f"old_string is empty but {file.shown} already exists and is not empty. "
                        "Give the exact text to replace."
                    )
                file.format = TextFile.new(params.new_string)
                new_content, count, strategy = file.format.text, 1, "new file"
            else:
                assert file.found is not None
                old = file.found.from_model(params.old_string)
                new = file.found.from_model(params.new_string)
                try:
                    # A thread: the nearest-candidate search on a big file is CPU work.
                    replaced = await asyncio.to_thread(
                        fuzzy_match.replace, file.found.text, old, new, replace_all=params.replace_all
                    )
                except ToolError as exc:
                    raise ToolError(f"{file.shown}: {exc}") from exc
                new_content = file.found.keep_final_newline(replaced.content)
                count, strategy = replaced.count, replaced.strategy
            summary = await commit_edit(ctx, file, new_content, verb="Edit")
        note = "" if strategy in ("exact", "new file") else f" (matched {strategy})"
        what = f"{count} occurrences" if count > 1 else "1 occurrence"
        output = f"Edited {file.shown}: replaced {what}{note}. +{summary.additions} -{summary.deletions} lines."
        return ToolResult(
            title=file.shown,
            output=output,
            metadata={"path": str(file.path), "replacements": count, "match": strategy, **summary.metadata()},
        )
