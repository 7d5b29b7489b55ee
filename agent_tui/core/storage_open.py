"""Opening the SQLite database file: created private (0600) before SQLite touches it, a file that is not ours or
was written by a newer version refused untouched, WAL switched on, and the schema brought up to date by
migrations keyed on `PRAGMA user_version` (append to MIGRATIONS, never edit one)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from agent_tui.core.private_files import FILE_MODE, private_dir, touch_private
from agent_tui.core.storage_errors import StorageError, failure, kind_of

log = logging.getLogger(__name__)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, which would break the migration's transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            parent_id TEXT,
            time_updated INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX sessions_by_project ON sessions (project_id, time_updated DESC);
        CREATE INDEX sessions_by_parent ON sessions (parent_id);
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX messages_by_session ON messages (session_id, id);
        CREATE TABLE parts (
            id TEXT PRIMARY KEY,
            message_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX parts_by_message ON parts (message_id, id);
        CREATE INDEX parts_by_session ON parts (session_id);
        """
    )


# Index i holds the migration from version i to i + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_1]
SCHEMA_VERSION = len(MIGRATIONS)
# How long a write waits for another process's lock. Two agent-tui instances hold it for milliseconds at a time;
# longer means something else holds it, and the UI thread must not hang on it for long.
BUSY_TIMEOUT = 5.0


def open_database(path: Path) -> sqlite3.Connection:
    """A connection to the database at `path`: created private if new, checked, in WAL mode, migrated."""
    try:
        private_dir(path.parent)
    except OSError as exc:
        raise StorageError(f"Cannot create the folder {path.parent} for the database: {exc.strerror}") from exc
    _make_private(path)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the database {path}: {exc}") from exc
    try:
        _check(path, db)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        _enable_wal(path, db)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(path, db)
    except sqlite3.Error as exc:
        db.close()
        raise failure(path, "open", exc) from exc
    except BaseException:
        db.close()
        raise
    return db

def _make_private(path: Path) -> None:
    """Create the database file 0600 before SQLite does (SQLite gives its -wal and -shm files the database
    file's mode), and narrow files an older version left readable by others."""
    if not path.exists():
        try:
            touch_private(path)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the database {path}: {exc.strerror}. Make the folder writable, free some "
                "space, or set AGENT_TUI_HOME to use another folder."
            ) from exc
    for suffix in ("", "-wal", "-shm"):
        with suppress(OSError):
            file = Path(f"{path}{suffix}")
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(FILE_MODE)

def _enable_wal(path: Path, db: sqlite3.Connection) -> None:
    """Switch to WAL. The switch needs the file to itself and SQLite does not wait for that (no busy
    handler), so when another process is opening the same new file at this moment, try again briefly."""
    deadline = time.monotonic() + 30
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise failure(path, "open", exc) from exc
            time.sleep(0.02)

def _check(path: Path, db: sqlite3.Connection) -> None:
    """Refuse, before anything is written, a file this version must not touch."""
    try:
        # Reads only: on a file that is not a database this fails before anything is written. Both reads
        # in one transaction, so another process migrating at this moment is seen before or after, never
        # half-way (tables present, version still 0).
        db.execute("BEGIN")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if kind_of(exc) != "other":  # locked, unreadable or on a failing disk: not a foreign file
            raise failure(path, "open", exc) from exc
        raise StorageError(
            f"{path} is not an agent-tui database ({exc}). It was left untouched; "
            "move it aside or set AGENT_TUI_HOME to use another folder."
        ) from exc
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"{path} was written by a newer agent-tui (schema {version}, this version knows "
            f"{SCHEMA_VERSION}). It was left untouched; upgrade agent-tui to open it."
        )
    if version == 0 and objects:
        # Tables but no schema version: some other program's SQLite file. Migrating would alter it.
        raise StorageError(
            f"{path} is not an agent-tui database (it holds another program's tables). It was left "
            "untouched; move it aside or set AGENT_TUI_HOME to use another folder."
        )

def _migrate(path: Path, db: sqlite3.Connection) -> None:
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return  # up to date: no write lock needed, so a database locked by another program still opens
    db.execute("BEGIN IMMEDIATE")
    try:
        # Re-read inside the write lock: another process may have migrated meanwhile.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, SCHEMA_VERSION):
            log.info("migrating %s to schema %d", path, step + 1)
            MIGRATIONS[step](db)
        if version < SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException as exc:
        db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StorageError(
                f"Updating the database {path} to schema {SCHEMA_VERSION} failed ({exc}); "
                "it was left at its previous version."
            ) from exc
        raise
