"""Our records as ACP values: tool kinds and statuses, titles, locations, diff / terminal / text content, plans.

Pure functions of a tool part (or of a permission request's metadata), shared by the live forwarder and by the
replay of stored sessions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from acp.helpers import plan_entry, tool_content, tool_diff_content, tool_terminal_ref, update_plan
from acp.schema import (
    AgentPlanUpdate,
    ContentToolCallContent,
    FileEditToolCallContent,
    TerminalToolCallContent,
    TextContentBlock,
    ToolCallLocation,
    ToolCallProgress,
    ToolCallStart,
)

from agent_tui.core.models import Todo, ToolPart

Content = ContentToolCallContent | FileEditToolCallContent | TerminalToolCallContent

TOOL_KINDS: dict[str, str] = {
    "read": "read", "edit": "edit", "write": "edit", "multiedit": "edit", "patch": "edit",
    "glob": "search", "grep": "search", "ls": "search", "bash": "execute", "webfetch": "fetch",
    "todowrite": "think", "todoread": "think", "task": "think",
}
STATUSES: dict[str, str] = {"pending": "pending", "running": "in_progress", "completed": "completed", "error": "failed"}
EDIT_TOOLS = frozenset({"edit", "write", "multiedit", "patch"})
SHOWN_OUTPUT_CHARS = 20_000  # a read of 2,000 lines is for the model; the editor shows its head


def tool_kind(tool: str) -> str:
    return TOOL_KINDS.get(tool, "other")


def _absolute(path: str, directory: Path) -> str:
    expanded = Path(os.path.expanduser(path))
    return os.path.normpath(expanded if expanded.is_absolute() else directory / expanded)


def tool_locations(part: ToolPart, directory: Path) -> list[ToolCallLocation]:
    """The files a call touches, absolute, so the editor can follow along."""
    meta, params = part.state.metadata, part.state.input
    files = meta.get("files")
    if isinstance(files, list) and files and all(isinstance(f, dict) for f in files):  # patch
        return [ToolCallLocation(path=str(f["path"])) for f in files if isinstance(f.get("path"), str)]
    path = meta.get("path") if isinstance(meta.get("path"), str) else None
    for key in ("file_path", "path"):
        if path is None and isinstance(params.get(key), str) and params[key]:
            path = params[key]
    if path is None:
        return []
    line = params.get("offset") if part.tool == "read" and isinstance(params.get("offset"), int) else None
    return [ToolCallLocation(path=_absolute(path, directory), line=line)]


def diff_sides(unified: str) -> list[tuple[str, str, str]]:
    """(file shown in the header, old text, new text) per file of a unified diff, hunks joined.

    The engine keeps unified diffs, not whole files; the two sides of the hunks (with their context lines) give
    the editor enough to show the change.
    """
    files: list[tuple[str, list[str], list[str]]] = []
    for line in unified.splitlines():
        if line.startswith("+++ "):
            name = line[4:].strip()
            files.append((name[2:] if name.startswith("b/") else name, [], []))
        elif line.startswith("--- ") or line.startswith("@@") or line.startswith("\\") or not files:
            continue
        elif line.startswith("+"):
            files[-1][2].append(line[1:])
        elif line.startswith("-"):
            files[-1][1].append(line[1:])
        else:
            files[-1][1].append(line[1:])
            files[-1][2].append(line[1:])
    return [(name, "\n".join(old), "\n".join(new)) for name, old, new in files]


def diff_content(metadata: dict[str, Any], directory: Path) -> list[Content]:
    """Diff content for an edit (a tool's result or a permission request's preview)."""
    unified = metadata.get("diff")
    if not isinstance(unified, str) or not unified:
        return []
    sides = diff_sides(unified)
    paths: list[str] = []
    files = metadata.get("files")
    if isinstance(files, list):  # patch: one entry per file, in the diff's order
        paths = [str(f["path"]) if isinstance(f, dict) else _absolute(str(f), directory) for f in files]
    elif isinstance(metadata.get("path"), str):
        paths = [metadata["path"]]
    created = bool(metadata.get("created"))
    out: list[Content] = []
    for index, (shown, old, new) in enumerate(sides):
        path = paths[index] if index < len(paths) else _absolute(shown, directory)
        out.append(tool_diff_content(path, new, None if created or not old else old))
    return out


def _fenced(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}\n{text}\n{fence}"


def _text(text: str) -> ContentToolCallContent:
    return tool_content(TextContentBlock(type="text", text=text))


def tool_call_content(part: ToolPart, directory: Path) -> list[Content]:
    state, meta = part.state, part.state.metadata
    if part.tool == "bash":
        if isinstance(meta.get("terminal_id"), str):
            return [tool_terminal_ref(meta["terminal_id"])]
        output = meta.get("output") if state.status == "running" else state.output or meta.get("output")
        content: list[Content] = [_text(_fenced(output[-SHOWN_OUTPUT_CHARS:]))] if output else []
        if state.status == "error" and state.error:
            content.append(_text(state.error))
        return content
    if state.status == "error":
        return [_text(state.error or "The tool failed.")]
    if part.tool in EDIT_TOOLS and state.status == "completed":
        diffs = diff_content(meta, directory)
        if diffs:
            return diffs
    if state.status == "completed" and state.output:
        shown = state.output if len(state.output) <= SHOWN_OUTPUT_CHARS else state.output[:SHOWN_OUTPUT_CHARS] + "\n…"
        return [_text(_fenced(shown) if part.tool in ("read", "grep", "glob", "ls") else shown)]
    return []


def tool_title(part: ToolPart) -> str:
    return part.state.title or part.tool


def start_call(part: ToolPart, directory: Path) -> ToolCallStart:
    return ToolCallStart(
        session_update="tool_call", tool_call_id=part.id, title=tool_title(part), kind=tool_kind(part.tool),
        status=STATUSES[part.state.status], content=tool_call_content(part, directory),
        locations=tool_locations(part, directory), raw_input=part.state.input or None,
    )


def update_call(part: ToolPart, directory: Path) -> ToolCallProgress:
    """The whole current state; the client replaces what it had (content and locations are full lists)."""
    done = part.state.status in ("completed", "error")
    return ToolCallProgress(
        session_update="tool_call_update", tool_call_id=part.id, title=tool_title(part), kind=tool_kind(part.tool),
        status=STATUSES[part.state.status],
        content=tool_call_content(part, directory), locations=tool_locations(part, directory),
        raw_input=part.state.input or None,
        raw_output={"output": part.state.output} if done and part.state.output is not None else None,
    )


def plan(todos: list[Todo]) -> AgentPlanUpdate:
    """The todo list as the agent's plan. ACP has no "cancelled" status: cancelled tasks are left out."""
    return update_plan(
        plan_entry(t.content, priority=t.priority, status=t.status)  # type: ignore[arg-type]
        for t in todos if t.status != "cancelled"
    )
