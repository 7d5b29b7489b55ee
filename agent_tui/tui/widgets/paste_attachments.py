"""Long pastes in the prompt: kept out of the text box and shown there as a chip.

A paste of more than `PASTE_LINES` lines or `PASTE_CHARS` characters is not inserted into the TextArea: the
prompt gets a chip such as `[pasted text #1 · 100,000 lines · 7.2 MB]` and `PasteAttachments` keeps the text, by
number, until the prompt is sent. The chip is one token of the text: Backspace or Delete on it removes all of it
(and its paste), the arrow keys step over it, and a chip whose text was edited no longer counts (the typed text
is sent as it reads). What is sent is the text plus the pastes whose chips it still holds, in the order they
appear (core/session/pastes.py says how they are stored and what the model reads).

A paste recalled later (prompt history, undo, fork) is not read back into memory: its attachment names the
stored part that holds it, and the text is read from the database only when the prompt is sent again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agent_tui.core import ids
from agent_tui.core.models import Part, PastedText, TextPart
from agent_tui.core.session.pastes import Paste, chip, paste_parts, summarize

# A TextArea keeps a string per line, a wrapped-line index and an undo record of every insert, and the transcript
# renders every line it is given: a 100,000-line paste cost over 400 MB that stayed. A few hundred lines still
# edit smoothly and are worth reading in the box; past that nobody edits a paste by hand in a prompt.
PASTE_LINES = 200
# The same for text with few but very long lines (minified JSON, a base64 blob): 20,000 characters is about a
# full screen of 120-column lines ten times over.
PASTE_CHARS = 20_000

TOKEN = re.compile(r"\[pasted text #(\d+) · [^\]\n]*\]")


def is_long(text: str) -> bool:
    return len(text) > PASTE_CHARS or text.count("\n") >= PASTE_LINES


class PasteMissing(Exception):
    """A recalled paste whose stored part is gone (its session was deleted)."""


@dataclass
class Attachment:
    """One paste of the prompt: its text while it is fresh, or the stored part it can be read from."""

    summary: PastedText
    text: str | None = None
    source_part: str | None = None
    part_id: str | None = None  # the id its part takes when sent (set by `PasteAttachments.take`)

    @property
    def number(self) -> int:
        return self.summary.number

    @property
    def token(self) -> str:
        return chip(self.summary)

    def renumbered(self, number: int) -> Attachment:
        return Attachment(self.summary.model_copy(update={"number": number}), self.text, self.source_part)

    def to_paste(self, load: Callable[[str], Part | None]) -> Paste:
        """The paste to send, reading a recalled one from storage (raises PasteMissing when it is gone)."""
        text = self.text
        if text is None and self.source_part is not None:
            part = load(self.source_part)
            text = part.text if isinstance(part, TextPart) and part.paste is not None else None
        if text is None:
            raise PasteMissing(f"The text of {self.token} is no longer stored (its session was deleted): "
                               "delete the chip to send the rest.")
        return Paste(number=self.number, text=text, part_id=self.part_id)


def from_parts(parts: Iterable[Part]) -> list[Attachment]:
    """The pastes of a stored message, as attachments that read their text back only when sent."""
    return [Attachment(p.paste, source_part=p.id) for p in paste_parts(list(parts)) if p.paste is not None]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    attachment: Attachment


class PasteAttachments:
    """The pastes of the prompt being written, by chip number."""

    def __init__(self) -> None:
        self._items: dict[int, Attachment] = {}
        self._last_number = 0

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, text: str) -> Attachment:
        """A new paste; numbers only grow while the app runs, so chips of different prompts never clash."""
        number = max(self._last_number, *self._items, 0) + 1
        self._last_number = number
        attachment = Attachment(summarize(number, text), text=text)
        self._items[number] = attachment
        return attachment

    def get(self, number: int) -> Attachment | None:
        return self._items.get(number)

    def all(self) -> list[Attachment]:
        return list(self._items.values())

    def replace(self, attachments: Iterable[Attachment]) -> None:
        self._items = {a.number: a for a in attachments}
        self._last_number = max(self._last_number, *self._items, 0)

    def merge(self, attachments: Iterable[Attachment], text: str) -> str:
        """Add `attachments` for `text` (joined with the prompt's own): a number already taken is renumbered,
        in `text` too, which is returned."""
        for attachment in attachments:
            if attachment.number in self._items and self._items[attachment.number] is not attachment:
                moved = attachment.renumbered(max(self._last_number, *self._items) + 1)
                text = text.replace(attachment.token, moved.token)
                attachment = moved
            self._items[attachment.number] = attachment
            self._last_number = max(self._last_number, attachment.number)
        return text

    def remove(self, number: int) -> None:
        self._items.pop(number, None)

    def clear(self) -> None:
        self._items = {}

    def spans(self, line: str) -> list[Span]:
        """The live chips of one line: tokens whose number has a paste and whose text is that paste's chip."""
        found: list[Span] = []
        if not self._items:
            return found
        for match in TOKEN.finditer(line):
            attachment = self._items.get(int(match.group(1)))
            if attachment is not None and match.group(0) == attachment.token:
                found.append(Span(match.start(), match.end(), attachment))
        return found

    def in_text(self, text: str) -> list[Attachment]:
        """The pastes whose chips `text` holds, in the order they appear, once each."""
        seen: dict[int, Attachment] = {}
        for span in self.spans(text):
            seen.setdefault(span.attachment.number, span.attachment)
        return list(seen.values())

    def prune(self, text: str) -> bool:
        """Drop the pastes whose chips are no longer in `text` (their memory goes with them). True if any."""
        keep = {a.number for a in self.in_text(text)}
        gone = [n for n in self._items if n not in keep]
        for number in gone:
            del self._items[number]
        return bool(gone)

    def take(self, text: str) -> list[Attachment]:
        """The pastes to send with `text`, each given the id of the part it will be stored as; then empty."""
        taken = self.in_text(text)
        for attachment in taken:
            attachment.part_id = ids.ascending("prt")
        self.clear()
        return taken
