"""The prompt history, kept in `paths.state_dir()` (the last model and theme live in `agent_tui.core.state`).

A history file that cannot be read is treated as empty and left in place, so it never stops the app.

An entry sent with long pastes (widgets/paste_attachments.py) is stored as `{"text": ..., "pastes": [...]}`: the
text with its chips, and for each chip the stored part holding the paste, never the paste itself. Older
versions, which read only strings, skip such entries.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import ValidationError

from agent_tui.core import paths
from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.fileio import atomic_write
from agent_tui.core.models import PastedText

log = logging.getLogger(__name__)

HISTORY_LIMIT = 500


class StoredPaste(DeferredModel):
    """A paste of a history entry: where its text is stored and what its chip says."""

    part_id: str
    summary: PastedText


class _Entry(DeferredModel):
    text: str
    pastes: list[StoredPaste] = []


def _parse(item: object) -> _Entry | None:
    if isinstance(item, str):
        return _Entry(text=item)
    try:
        return _Entry.model_validate(item)
    except ValidationError:
        return None


class PromptHistory:
    """Sent prompts, oldest first, with a cursor for ↑/↓ recall. One JSON list per user (all projects)."""

    def __init__(self, entries: list[str] | None = None, *, path: Path | None = None) -> None:
        self.entries: list[str] = entries or []
        self.pastes: dict[str, list[StoredPaste]] = {}  # entry text → the pastes its chips stand for
        self.path = path
        self._cursor: int | None = None  # index into entries while browsing; None = not browsing
        self._draft = ""  # what was typed before browsing started, restored past the newest entry

    @classmethod
    def load(cls, path: Path | None = None) -> PromptHistory:
        path = path or paths.state_dir() / "prompt-history.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            parsed = [_parse(item) for item in data] if isinstance(data, list) else []
        except FileNotFoundError:
            parsed = []
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", path, exc)
            parsed = []
        entries = [e for e in parsed if e is not None][-HISTORY_LIMIT:]
        history = cls([e.text for e in entries], path=path)
        history.pastes = {e.text: e.pastes for e in entries if e.pastes}
        return history

    def add(self, text: str, pastes: list[StoredPaste] | None = None) -> None:
        self._cursor = None
        if not text.strip():
            return
        if pastes:
            self.pastes[text] = pastes
        if self.entries and self.entries[-1] == text:
            if not pastes:
                return
        else:
            self.entries.append(text)
            del self.entries[:-HISTORY_LIMIT]
        for gone in set(self.pastes) - set(self.entries):
            del self.pastes[gone]
        if self.path is not None:
            data = [{"text": e, "pastes": [p.model_dump() for p in self.pastes[e]]} if e in self.pastes else e
                    for e in self.entries]
            try:
                atomic_write(self.path, json.dumps(data, ensure_ascii=False), private=True)
            except OSError as exc:
                log.warning("cannot save %s: %s", self.path, exc)

    def pastes_of(self, text: str) -> list[StoredPaste]:
        return list(self.pastes.get(text, []))

    @property
    def browsing(self) -> bool:
        return self._cursor is not None

    def previous(self, current: str) -> str | None:
        """The entry before the cursor (starting from the newest), or None at the oldest."""
        if not self.entries:
            return None
        if self._cursor is None:
            self._draft = current
            self._cursor = len(self.entries)
        if self._cursor == 0:
            return None
        self._cursor -= 1
        return self.entries[self._cursor]

    def next(self) -> str | None:
        """The entry after the cursor; past the newest, the draft typed before browsing. None when not browsing."""
        if self._cursor is None:
            return None
        self._cursor += 1
        if self._cursor >= len(self.entries):
            self._cursor = None
            return self._draft
        return self.entries[self._cursor]

    def reset(self) -> None:
        self._cursor = None
