"""Long pastes sent as attachments: how they are stored, labelled and shown to the model.

A front end that receives a paste too long to edit (the TUI: more than a few hundred lines) keeps it out of its
text box and shows a chip such as `[pasted text #1 · 100,000 lines · 7.2 MB]` in the prompt instead. On send, each
paste becomes a `TextPart` with `paste` set: the part holds the whole text (so the model, a reopened session and
an export have it) and `paste` a summary that the transcript and `sessions show` display instead of the lines.

Paste parts are stored before the typed text of their message, so the model reads the long material first and
the question about it last (the order long-context prompting guides recommend); the typed text keeps the chips,
which name each paste by number, and each paste reaches the model wrapped in a tag carrying that number.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent_tui.core.models import PastedText, TextPart

PREVIEW_CHARS = 80
CHIP_PREFIX = "[pasted text #"


@dataclass(frozen=True)
class Paste:
    """A paste to send: its chip number, its text and the id its stored part takes (so a front end can find
    the text again later, e.g. to recall the prompt from its history, without keeping a copy)."""

    number: int
    text: str
    part_id: str | None = None


def line_count(text: str) -> int:
    """Lines as an editor counts them (a final newline ends the last line, it does not start another)."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def byte_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", errors="surrogateescape"))


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The first non-blank line, cut to `limit` characters (found without splitting the whole text)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end].strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
        start = end + 1
    return ""


def summarize(number: int, text: str) -> PastedText:
    return PastedText(number=number, lines=line_count(text), size=byte_size(text), preview=preview(text))


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def chip(paste: PastedText) -> str:
    """The chip's text, as the prompt shows it and the typed text stores it."""
    lines = f"{paste.lines:,} line{'s' if paste.lines != 1 else ''}"
    return f"{CHIP_PREFIX}{paste.number} · {lines} · {human_size(paste.size)}]"


def paste_part(session_id: str, message_id: str, paste: Paste) -> TextPart:
    fields = {"id": paste.part_id} if paste.part_id else {}
    return TextPart(session_id=session_id, message_id=message_id, text=paste.text,
                    paste=summarize(paste.number, paste.text), **fields)


def wire_text(part: TextPart) -> str:
    """What the model reads for a text part: a paste is wrapped in a tag naming its chip."""
    if part.paste is None:
        return part.text
    info = part.paste
    return f'<pasted_text number="{info.number}" lines="{info.lines}">\n{part.text}\n</pasted_text>'


def typed_parts(parts: list[object]) -> list[TextPart]:
    """The text parts a user typed: neither engine-added (synthetic) nor pastes."""
    return [p for p in parts if isinstance(p, TextPart) and p.text and not p.synthetic and p.paste is None]


def paste_parts(parts: list[object]) -> list[TextPart]:
    return [p for p in parts if isinstance(p, TextPart) and p.paste is not None]
