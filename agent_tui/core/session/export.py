"""A session as Markdown or JSON, for `/export` and `agent-tui sessions export`. No secrets are in records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    MessageWithParts,
    ReasoningPart,
    Session,
    TextPart,
    ToolPart,
)
from agent_tui.core.session.pastes import chip

PasteDetail = Literal["full", "summary"]


def _time(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def _fence(text: str) -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}\n{text.rstrip()}\n{ticks}"


def _paste(part: TextPart, detail: PasteDetail) -> list[str]:
    """A long paste: its chip and first line (`sessions show`), or the whole text folded under its chip (export:
    the file is the record, so nothing the model read is left out)."""
    assert part.paste is not None
    label = chip(part.paste)
    if detail == "summary":
        return [f"*{label}*" + (f" {part.paste.preview}" if part.paste.preview else ""), ""]
    return [f"<details><summary>{label}</summary>", "", _fence(part.text), "", "</details>", ""]


def to_markdown(session: Session, messages: list[MessageWithParts], *, pastes: PasteDetail = "full") -> str:
    lines = [f"# {session.title}", "", f"- Session: `{session.id}`", f"- Folder: `{session.directory}`",
             f"- Created: {_time(session.time.created)}", f"- Cost: ${session.cost:.4f}", ""]
    for message in messages:
        info = message.info
        if isinstance(info, AssistantMessage):
            label = "Summary" if info.summary else "Assistant"
            lines += [f"## {label} ({info.provider}/{info.model}, {_time(info.time.created)})", ""]
        else:
            lines += [f"## User ({_time(info.time.created)})", ""]
        for part in message.parts:
            if isinstance(part, TextPart) and (part.paste is not None or part.synthetic):
                continue  # after the typed text: what it names, and what the engine added to it
            if isinstance(part, TextPart) and part.text:
                lines += [part.text.rstrip(), ""]
            elif isinstance(part, ReasoningPart) and part.text:
                lines += ["<details><summary>Reasoning</summary>", "", part.text.rstrip(), "", "</details>", ""]
            elif isinstance(part, ToolPart):
                state = part.state
                lines += [f"**Tool `{part.tool}`** — {state.title or ''} ({state.status})", ""]
                lines += [_fence(json.dumps(state.input, indent=2)), ""]
                result = state.output if state.status == "completed" else state.error
                if result:
                    lines += [_fence(result[:20_000]), ""]
            elif isinstance(part, FilePart):
                lines += [f"*Attached: {part.filename or part.url}*", ""]
        for part in message.parts:
            if isinstance(part, TextPart) and part.paste is not None:
                lines += _paste(part, pastes)
            elif isinstance(part, TextPart) and part.synthetic and part.text:
                lines += ["<details><summary>Sent to the model with it</summary>", "", part.text.rstrip(), "",
                          "</details>", ""]
        if isinstance(info, AssistantMessage):
            if info.error is not None:
                lines += [f"> **Error ({info.error.kind}):** {info.error.message}", ""]
            lines += [f"*Tokens: {info.tokens.input} in, {info.tokens.output} out, "
                      f"{info.tokens.cache_read} cache read · cost ${info.cost:.4f}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_json(session: Session, messages: list[MessageWithParts]) -> str:
    return json.dumps(
        {"session": session.model_dump(mode="json"), "messages": [m.model_dump(mode="json") for m in messages]},
        indent=2,
    )
