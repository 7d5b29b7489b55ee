"""Stored history → the OpenAI-format message list litellm sends to any provider.

Only messages from the newest summary on are sent, without the turns the user undid. An assistant message
with nothing in it (an aborted turn) is left out, since some providers reject empty assistant messages. Old tool
outputs beyond the newest ~40k tokens are replaced by a short note in what is sent (never in storage).
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from pathlib import Path
from typing import Any

from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    MessageWithParts,
    StepStartPart,
    TextPart,
    ToolPart,
)
from agent_tui.core.session.pastes import wire_text
from agent_tui.core.tools.fs import SNIFF_BYTES, looks_binary

PRUNE_PROTECT_TOKENS = 40_000
PRUNED_NOTE = "[Old tool output cleared to save context. Run the tool again if you need it.]"
ABORTED_TOOL = "The tool call was interrupted before it finished (the user aborted the turn)."
MAX_INLINE_FILE = 200_000
# What OpenAI and Anthropic accept for a tool call's name and id in the history: a model may invent a name
# with other characters (stored as it was, for the user), and one bad name would fail every later request.
_WIRE_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def since_last_summary(messages: list[MessageWithParts]) -> list[MessageWithParts]:
    for index in range(len(messages) - 1, -1, -1):
        info = messages[index].info
        if isinstance(info, AssistantMessage) and info.summary and info.error is None:
            return messages[index:]
    return messages


def estimate_tokens(text: str) -> int:
    return len(text) // 4


def _pruned_parts(messages: list[MessageWithParts]) -> set[str]:
    """Ids of the tool parts whose output is older than the newest PRUNE_PROTECT_TOKENS tokens of tool output."""
    total = 0
    pruned: set[str] = set()
    for message in reversed(messages):
        for part in reversed(message.parts):
            if isinstance(part, ToolPart) and part.state.status == "completed":
                total += estimate_tokens(part.state.output or "")
                if total > PRUNE_PROTECT_TOKENS:
                    pruned.add(part.id)
    return pruned


def _wire_name(name: str) -> str:
    return _WIRE_UNSAFE.sub("_", name)[:64] or "unknown_tool"


def _wire_call_ids(messages: list[MessageWithParts]) -> dict[str, str]:
    """Tool part id → the call id sent: only safe characters, and unique in the request (Anthropic refuses a
    repeated tool_use id, and litellm silently drops the second one while keeping both results)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for message in messages:
        for part in message.parts:
            if isinstance(part, ToolPart):
                wire = base = _WIRE_UNSAFE.sub("_", part.call_id) or "call"
                suffix = 1
                while wire in used:
                    wire, suffix = f"{base}_{suffix}", suffix + 1
                used.add(wire)
                ids[part.id] = wire
    return ids


def _file_content(part: FilePart, vision: bool) -> dict[str, Any] | None:
    name = part.filename or part.url
    if part.mime.startswith("image/"):
        if not vision:  # a provider without vision refuses the whole request
            return {"type": "text", "text": f"[image {name} is attached, but this model does not accept images]"}
        url = part.url
        if url.startswith("file://"):
            try:
                data = Path(url[7:]).read_bytes()
            except OSError:
                return {"type": "text", "text": f"[image {name} is no longer readable]"}
            url = f"data:{part.mime};base64,{base64.b64encode(data).decode()}"
        return {"type": "image_url", "image_url": {"url": url}}
    if part.url.startswith("file://"):
        path = Path(part.url[7:])
        try:
            with path.open("rb") as file:  # bounded: the file may be huge
                data = file.read(MAX_INLINE_FILE + 1)
        except OSError:
            return {"type": "text", "text": f"[attached file {path} is no longer readable]"}
        if looks_binary(data[:SNIFF_BYTES]):
            return {"type": "text", "text": f"[attached file {path} is binary; its content is not included]"}
        text = data[:MAX_INLINE_FILE].decode("utf-8", errors="replace")
        if len(data) > MAX_INLINE_FILE:
            text += f"\n[... the rest of the file is cut: only its first {MAX_INLINE_FILE:,} bytes are included]"
        return {"type": "text", "text": f'<file path="{path}">\n{text}\n</file>'}
    return None


def _user_message(message: MessageWithParts, vision: bool) -> dict[str, Any] | None:
    content: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart) and part.text:
            content.append({"type": "text", "text": wire_text(part)})
        elif isinstance(part, FilePart):
            item = _file_content(part, vision)
            if item:
                content.append(item)
    if not content:
        return None
    if all(c["type"] == "text" for c in content):
        return {"role": "user", "content": "\n\n".join(c["text"] for c in content)}
    return {"role": "user", "content": content}


def _tool_result_text(part: ToolPart, pruned: set[str]) -> str:
    state = part.state
    if state.status == "completed":
        return PRUNED_NOTE if part.id in pruned else (state.output or "")
    if state.status == "error":
        return f"Error: {state.error or 'the tool failed'}"
    return ABORTED_TOOL


def _attachments(part: ToolPart) -> list[dict[str, Any]]:
    items = []
    for attachment in part.state.metadata.get("attachments", []) or []:
        mime = attachment.get("mime", "")
        if mime.startswith("image/") and attachment.get("data_base64"):
            url = f"data:{mime};base64,{attachment['data_base64']}"
            items.append({"type": "image_url", "image_url": {"url": url}})
    return items


def _assistant_messages(
    message: MessageWithParts, pruned: set[str], vision: bool, call_ids: dict[str, str]
) -> list[dict[str, Any]]:
    """One OpenAI assistant message per step, each followed by its tool results."""
    steps: list[list[Any]] = [[]]
    for part in message.parts:
        if isinstance(part, StepStartPart) and steps[-1]:
            steps.append([])
        steps[-1].append(part)
    out: list[dict[str, Any]] = []
    for step in steps:
        text = "".join(p.text for p in step if isinstance(p, TextPart)).strip()
        calls = [p for p in step if isinstance(p, ToolPart)]
        if not text and not calls:
            continue
        entry: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            entry["tool_calls"] = [
                {
                    "id": call_ids[p.id],
                    "type": "function",
                    "function": {"name": _wire_name(p.tool), "arguments": json.dumps(p.state.input)},
                }
                for p in calls
            ]
        out.append(entry)
        images: list[dict[str, Any]] = []
        for p in calls:
            result = _tool_result_text(p, pruned)
            if vision:
                images.extend(_attachments(p))
            elif _attachments(p):  # the tool said "attached"; the model must not believe it sees the image
                result += "\n[The image was not sent: this model does not accept images.]"
            out.append({"role": "tool", "tool_call_id": call_ids[p.id], "content": result})
        if images:
            out.append({"role": "user", "content": [{"type": "text", "text": "Images returned by the tools:"},
                                                    *images]})
    return out


def to_llm_messages(
    history: list[MessageWithParts], system: list[str], *, vision: bool = True
) -> list[dict[str, Any]]:
    # Undone turns stay in storage and on screen, but the model no longer sees them (core/snapshot/revert.py).
    messages = since_last_summary([m for m in history if m.info.reverted is None])
    pruned = _pruned_parts(messages)
    call_ids = _wire_call_ids(messages)
    out: list[dict[str, Any]] = [{"role": "system", "content": "\n\n".join(system)}]
    for message in messages:
        info = message.info
        if isinstance(info, AssistantMessage):
            if info.summary:
                summary = message.text()
                if summary:
                    out.append({"role": "user", "content": f"Summary of our conversation so far:\n\n{summary}"})
                    out.append({"role": "assistant", "content": "Understood. I will continue from this summary."})
                continue
            out.extend(_assistant_messages(message, pruned, vision, call_ids))
        else:
            entry = _user_message(message, vision)
            if entry:
                out.append(entry)
    return out


def guess_mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "text/plain"
