"""A private file that receives a stream of text with known secret values replaced on the way in.

A secret may arrive split across two chunks, so the last `longest secret - 1` characters are held back until
more text (or the end) shows whether they start a secret. Replacing is idempotent, so the held-back tail is
scrubbed again with what follows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from agent_tui.core.private_files import open_private, private_dir
from agent_tui.core.secrets import SecretScrubber


class ScrubbedSpool:
    def __init__(self, path: Path, scrub: SecretScrubber | None) -> None:
        private_dir(path.parent)
        self.path = path
        self._file: IO[str] = open_private(path, "w", encoding="utf-8", errors="replace")
        self._scrub = scrub if scrub is not None and scrub.values else None
        self._hold = max((len(v) for v in self._scrub.values), default=1) - 1 if self._scrub else 0
        self._pending = ""

    def write(self, text: str) -> None:
        if self._scrub is None:
            self._file.write(text)
            return
        clean = self._scrub.text(self._pending + text)
        cut = max(len(clean) - self._hold, 0)
        self._file.write(clean[:cut])
        self._pending = clean[cut:]

    def close(self) -> None:
        if self._pending:
            self._file.write(self._scrub.text(self._pending) if self._scrub else self._pending)
            self._pending = ""
        self._file.close()
