"""SQLite failures told as what happened to which file and what the user can do about it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

_ADVICE = {
    "busy": "another program holds a lock on it (another agent-tui busy for a long time, or a tool such as "
            "`sqlite3` with an open transaction); close it and agent-tui continues",
    "full": "the disk is full (or a file size limit was reached); free some space and agent-tui continues",
    "readonly": "it or its folder is read-only; make both writable (or set AGENT_TUI_HOME to another folder) and "
                "agent-tui continues",
    "cantopen": "it cannot be opened; check that the folder exists, is writable and is not full",
    "io": "the disk reported an input/output error; check the disk and free space",
}


def kind_of(exc: sqlite3.Error) -> str:
    """busy, full, readonly, cantopen, io or other."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return "busy"
    if name.startswith("SQLITE_FULL") or "full" in text:
        return "full"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "cantopen"
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return "io"
    return "other"


def explain(path: Path, action: str, exc: sqlite3.Error) -> str:
    """`Cannot save to the database /x/agent-tui.db: the disk is full ...; free some space ...`."""
    kind = kind_of(exc)
    if kind in ("cantopen", "io", "other") and path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        kind = "readonly"  # SQLite says "unable to open" when it cannot create the -wal/-shm files there
    advice = _ADVICE.get(kind)
    if advice is None:
        return f"Cannot {action} the database {path}: {exc}."
    return f"Cannot {action} the database {path} ({exc}): {advice}."


class StorageError(Exception):
    """The database cannot be used. The message names the file and what to do; `kind` says why (see
    `storage_errors.kind_of`: busy, full, readonly, cantopen, io, other)."""

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


def failure(path: Path, action: str, exc: sqlite3.Error) -> StorageError:
    """The StorageError for `exc`, met trying to `action` ("open", "save to", "read") the database."""
    return StorageError(explain(path, action, exc), kind_of(exc))
