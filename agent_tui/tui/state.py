"""The prompt history, kept in `paths.state_dir()` (the last model and theme live in `agent_tui.core.state`).

A history file that cannot be read is treated as empty and left in place, so it never stops the app.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.fileio import atomic_write

log = logging.getLogger(__name__)

HISTORY_LIMIT = 500


class PromptHistory:
    """Sent prompts, oldest first, with a cursor for ↑/↓ recall. One JSON list per user (all projects)."""

    def __init__(self, entries: list[str] | None = None, *, path: Path | None = None) -> None:
        self.entries: list[str] = entries or []
        self.path = path
        self._cursor: int | None = None  # index into entries while browsing; None = not browsing
        self._draft = ""  # what was typed before browsing started, restored past the newest entry

    @classmethod
    def load(cls, path: Path | None = None) -> PromptHistory:
        path = path or paths.state_dir() / "prompt-history.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = [e for e in data if isinstance(e, str)] if isinstance(data, list) else []
        except FileNotFoundError:
            entries = []
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", path, exc)
            entries = []
        return cls(entries[-HISTORY_LIMIT:], path=path)

    def add(self, text: str) -> None:
        self._cursor = None
        if not text.strip():
            return
        if self.entries and self.entries[-1] == text:
            return
        self.entries.append(text)
        del self.entries[:-HISTORY_LIMIT]
        if self.path is not None:
            try:
                atomic_write(self.path, json.dumps(self.entries, ensure_ascii=False), private=True)
            except OSError as exc:
                log.warning("cannot save %s: %s", self.path, exc)

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
