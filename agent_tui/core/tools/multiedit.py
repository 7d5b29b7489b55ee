"""`multiedit`: several edits to one file, applied in order, all or none."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from agent_tui.core.tools import fuzzy_match
from agent_tui.core.tools.base import Tool, ToolContext, ToolError, ToolResult
from agent_tui.core.tools.edit import BOTH_EMPTY
from agent_tui.core.tools.editing import commit_edit, open_for_edit
from agent_tui.core.tools.textfile import TextFile


class OneEdit(BaseModel):
    old_string: str = Field(description="The exact text to replace (empty only to create a new file).")
    new_string: str = Field(description="The text to put in its place.")
    replace_all: bool = Field(default=False, description="Replace every occurrence instead of exactly one.")


class MultiEditParams(BaseModel):
    file_path: str = Field(description="The file to change: relative to the project folder, or absolute.")
    edits: list[OneEdit] = Field(min_length=1, description="Edits applied in order; each sees the previous ones.")


class MultiEditTool(Tool):
    name = "multiedit"
    Params = MultiEditParams

    async def execute(self, params: MultiEditParams, ctx: ToolContext) -> ToolResult:
        total = len(params.edits)
        for number, edit in enumerate(params.edits, start=1):
            if edit.old_string == "" and edit.new_string == "":
                raise ToolError(f"Edit {number} of {total}: {BOTH_EMPTY}")
        creating = params.edits[0].old_string == ""
        async with open_for_edit(ctx, params.file_path, must_exist=not creating) as file:
            content = file.content
            if creating and content is not None and content.strip():
                raise ToolError(
                    f"The first edit has an empty old_string but {file.shown} already exists and is not empty."
                )
            strategies: list[str] = []
            for number, edit in enumerate(params.edits, start=1):
                if number == 1 and creating:
                    file.format = TextFile.new(edit.new_string)
                    content = file.format.text
                    strategies.append("new file")
                    continue
                assert content is not None
                old, new = file.format.from_model(edit.old_string), file.format.from_model(edit.new_string)
                try:
                    replaced = await asyncio.to_thread(
                        fuzzy_match.replace, content, old, new, replace_all=edit.replace_all
                    )
                except ToolError as exc:
                    raise ToolError(
                        f"Edit {number} of {total} failed on {file.shown}: {exc}\n"
                        "No edit was applied; the file is unchanged."
                    ) from exc
                content = replaced.content
                strategies.append(replaced.strategy)
            assert content is not None
            if file.found is not None:
                content = file.found.keep_final_newline(content)
            summary = await commit_edit(ctx, file, content, verb="Edit")
        relaxed = [f"edit {i + 1} matched {s}" for i, s in enumerate(strategies) if s not in ("exact", "new file")]
        note = f" ({'; '.join(relaxed)})" if relaxed else ""
        return ToolResult(
            title=file.shown,
            output=f"Applied {total} edits to {file.shown}{note}. +{summary.additions} -{summary.deletions} lines.",
            metadata={"path": str(file.path), "edits": total, "matches": strategies, **summary.metadata()},
        )
