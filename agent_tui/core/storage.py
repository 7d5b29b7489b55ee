"""SQLite storage for sessions, messages and parts.

One database file (WAL mode) shared safely by several running instances. Each record is stored as JSON next to
the indexed columns used to query it. Parts live in their own table so one streaming part can be written alone.
Every write is one transaction; schema changes are migrations keyed on `PRAGMA user_version`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter

from agent_tui.core.history_cache import HistoryCache
from agent_tui.core.models import Message, MessageWithParts, Part, Session
from agent_tui.core.private_files import FILE_MODE, private_dir, touch_private
from agent_tui.core.storage_errors import explain, kind_of

log = logging.getLogger(__name__)

# Built on first use, like the models (core/deferred_models.py).
_MESSAGE = TypeAdapter(Message, config=ConfigDict(defer_build=True))
_PART = TypeAdapter(Part, config=ConfigDict(defer_build=True))


class StorageError(Exception):
    """The database cannot be used. The message names the file and what to do; `kind` says why (see
    `storage_errors.kind_of`: busy, full, readonly, cantopen, io, other)."""

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


def _failure(path: Path, action: str, exc: sqlite3.Error) -> StorageError:
    return StorageError(explain(path, action, exc), kind_of(exc))


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


class Storage:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._busy_ms = int(BUSY_TIMEOUT * 1000)
        self._db = self._open()
        self._cache = HistoryCache()  # parsed histories for `history()`, kept up to date by every write here

    # --- opening ------------------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            private_dir(self.path.parent)
        except OSError as exc:
            raise StorageError(f"Cannot create the folder {self.path.parent} for the database: {exc.strerror}") from exc
        self._make_private()
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the database {self.path}: {exc}") from exc
        try:
            self._check(db)
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            self._enable_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._migrate(db)
        except sqlite3.Error as exc:
            db.close()
            raise _failure(self.path, "open", exc) from exc
        except BaseException:
            db.close()
            raise
        return db

    def _make_private(self) -> None:
        """Create the database file 0600 before SQLite does (SQLite gives its -wal and -shm files the database
        file's mode), and narrow files an older version left readable by others."""
        if not self.path.exists():
            try:
                touch_private(self.path)
            except OSError as exc:
                raise StorageError(
                    f"Cannot create the database {self.path}: {exc.strerror}. Make the folder writable, free some "
                    "space, or set AGENT_TUI_HOME to use another folder."
                ) from exc
        for suffix in ("", "-wal", "-shm"):
            with suppress(OSError):
                file = Path(f"{self.path}{suffix}")
                if file.exists() and file.stat().st_mode & 0o077:
                    file.chmod(FILE_MODE)

    def _enable_wal(self, db: sqlite3.Connection) -> None:
        """Switch to WAL. The switch needs the file to itself and SQLite does not wait for that (no busy
        handler), so when another process is opening the same new file at this moment, try again briefly."""
        deadline = time.monotonic() + 30
        while True:
            try:
                db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise _failure(self.path, "open", exc) from exc
                time.sleep(0.02)

    def _check(self, db: sqlite3.Connection) -> None:
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
                raise _failure(self.path, "open", exc) from exc
            raise StorageError(
                f"{self.path} is not an agent-tui database ({exc}). It was left untouched; "
                "move it aside or set AGENT_TUI_HOME to use another folder."
            ) from exc
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{self.path} was written by a newer agent-tui (schema {version}, this version knows "
                f"{SCHEMA_VERSION}). It was left untouched; upgrade agent-tui to open it."
            )
        if version == 0 and objects:
            # Tables but no schema version: some other program's SQLite file. Migrating would alter it.
            raise StorageError(
                f"{self.path} is not an agent-tui database (it holds another program's tables). It was left "
                "untouched; move it aside or set AGENT_TUI_HOME to use another folder."
            )

    def _migrate(self, db: sqlite3.Connection) -> None:
        if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return  # up to date: no write lock needed, so a database locked by another program still opens
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                log.info("migrating %s to schema %d", self.path, step + 1)
                MIGRATIONS[step](db)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException as exc:
            db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StorageError(
                    f"Updating the database {self.path} to schema {SCHEMA_VERSION} failed ({exc}); "
                    "it was left at its previous version."
                ) from exc
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock up front so two processes queue, not fail."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _failure(self.path, "save to", exc) from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _failure(self.path, "save to", exc) from exc
                raise

    def _read(self, sql: str, args: Iterable[object] = ()) -> list[tuple[str, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(args)).fetchall()
            except sqlite3.Error as exc:
                raise _failure(self.path, "read", exc) from exc

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a write waits for another process's lock."""
        with self._lock, suppress(sqlite3.Error):
            self._db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
            self._busy_ms = int(seconds * 1000)

    @contextmanager
    def no_wait(self, wait: float = 0.0) -> Iterator[None]:
        """Writes inside fail at once, or after `wait` seconds (a StorageError of kind "busy"), instead of
        waiting for another process's lock: the UI thread's writes (see session/writer.py) retry later or say
        they cannot be done, rather than hang."""
        with self._lock:
            with suppress(sqlite3.Error):
                self._db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            try:
                yield
            finally:
                with suppress(sqlite3.Error):
                    self._db.execute(f"PRAGMA busy_timeout = {self._busy_ms}")

    # --- sessions -----------------------------------------------------------------------------------------

    def put_session(self, session: Session) -> None:
        with self._write() as db:
            self._put_session(db, session)

    @staticmethod
    def _put_session(db: sqlite3.Connection, session: Session) -> None:
        db.execute(
            "INSERT INTO sessions (id, project_id, parent_id, time_updated, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET project_id = excluded.project_id, parent_id = excluded.parent_id, "
            "time_updated = excluded.time_updated, data = excluded.data",
            (session.id, session.project_id, session.parent_id, session.time.updated, session.model_dump_json()),
        )

    def get_session(self, session_id: str) -> Session | None:
        rows = self._read("SELECT data FROM sessions WHERE id = ?", (session_id,))
        return Session.model_validate_json(rows[0][0]) if rows else None

    def list_sessions(
        self, project_id: str, *, limit: int = 100, offset: int = 0, include_children: bool = False
    ) -> list[Session]:
        """The project's sessions, most recently updated first."""
        where = "project_id = ?" + ("" if include_children else " AND parent_id IS NULL")
        rows = self._read(
            f"SELECT data FROM sessions WHERE {where} ORDER BY time_updated DESC, id ASC LIMIT ? OFFSET ?",
            (project_id, limit, offset),
        )
        return [Session.model_validate_json(r[0]) for r in rows]

    def children(self, session_id: str) -> list[Session]:
        rows = self._read("SELECT data FROM sessions WHERE parent_id = ? ORDER BY id DESC", (session_id,))
        return [Session.model_validate_json(r[0]) for r in rows]

    def search_sessions(self, project_id: str, text: str, *, limit: int = 100) -> list[Session]:
        """Sessions whose title or message text contains `text` (case-insensitive)."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._read(
            "SELECT data FROM sessions s WHERE project_id = ? AND parent_id IS NULL AND ("
            " json_extract(data, '$.title') LIKE ? ESCAPE '\\' OR EXISTS ("
            "  SELECT 1 FROM parts p WHERE p.session_id = s.id AND json_extract(p.data, '$.type') = 'text'"
            "  AND json_extract(p.data, '$.text') LIKE ? ESCAPE '\\'))"
            " ORDER BY time_updated DESC LIMIT ?",
            (project_id, pattern, pattern, limit),
        )
        return [Session.model_validate_json(r[0]) for r in rows]

    def delete_session(self, session_id: str) -> None:
        """Delete a session with its messages, parts and sub-agent sessions."""
        with self._lock, self._write() as db:
            self._cache.clear()
            pending = [session_id]
            while pending:
                current = pending.pop()
                pending.extend(r[0] for r in db.execute("SELECT id FROM sessions WHERE parent_id = ?", (current,)))
                db.execute("DELETE FROM parts WHERE session_id = ?", (current,))
                db.execute("DELETE FROM messages WHERE session_id = ?", (current,))
                db.execute("DELETE FROM sessions WHERE id = ?", (current,))

    # --- messages -----------------------------------------------------------------------------------------

    def put_message(self, message: Message) -> None:
        with self._lock:
            with self._write() as db:
                data = self._put_message(db, message)
            self._cache.message_written(message.session_id, message.id, data)  # committed: mirror it

    @staticmethod
    def _put_message(db: sqlite3.Connection, message: Message) -> str:
        data = message.model_dump_json()
        db.execute(
            "INSERT INTO messages (id, session_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            (message.id, message.session_id, data),
        )
        return data

    def get_message(self, message_id: str) -> Message | None:
        rows = self._read("SELECT data FROM messages WHERE id = ?", (message_id,))
        return _MESSAGE.validate_json(rows[0][0]) if rows else None

    def list_messages(self, session_id: str) -> list[MessageWithParts]:
        """A session's messages in order, each with its parts in order."""
        messages = self._read("SELECT id, data FROM messages WHERE session_id = ? ORDER BY id", (session_id,))
        parts = self._read(
            "SELECT message_id, data FROM parts WHERE session_id = ? ORDER BY message_id, id", (session_id,)
        )
        by_message: dict[str, list[Part]] = {}
        for message_id, data in parts:
            by_message.setdefault(message_id, []).append(_PART.validate_json(data))
        return [
            MessageWithParts(info=_MESSAGE.validate_json(data), parts=by_message.get(message_id, []))
            for message_id, data in messages
        ]

    def history(self, session_id: str) -> list[MessageWithParts]:
        """The same as `list_messages`, parsed once and kept (core/history_cache.py): what a step reads to build
        its request. The records are shared with the cache: never change them in place."""
        with self._lock:
            # Changes when another connection (or process) committed: then anything cached may be stale.
            self._cache.at_version(self._read("PRAGMA data_version")[0][0])
            if session_id not in self._cache:
                messages = self._read("SELECT id, data FROM messages WHERE session_id = ? ORDER BY id", (session_id,))
                parts = self._read("SELECT message_id, id, data FROM parts WHERE session_id = ?", (session_id,))
                self._cache.fill(session_id, messages, parts)  # type: ignore[arg-type]
            return self._cache.history(session_id, self._part_data)

    def _part_data(self, part_id: str) -> str | None:
        rows = self._read("SELECT data FROM parts WHERE id = ?", (part_id,))
        return rows[0][0] if rows else None

    def count_messages(self, session_id: str) -> int:
        return int(self._read("SELECT count(*) FROM messages WHERE session_id = ?", (session_id,))[0][0])

    def delete_message(self, message_id: str) -> None:
        with self._lock, self._write() as db:
            self._cache.clear()  # rare: dropped rather than mirrored
            db.execute("DELETE FROM parts WHERE message_id = ?", (message_id,))
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    # --- parts --------------------------------------------------------------------------------------------

    def put_part(self, part: Part) -> None:
        with self._lock:
            with self._write() as db:
                data = self._put_part(db, part)
            self._cache.part_written(part.session_id, part.message_id, part.id, data)  # committed: mirror it

    @staticmethod
    def _put_part(db: sqlite3.Connection, part: Part) -> str:
        data = part.model_dump_json()
        db.execute(
            "INSERT INTO parts (id, message_id, session_id, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            (part.id, part.message_id, part.session_id, data),
        )
        return data

    def get_part(self, part_id: str) -> Part | None:
        rows = self._read("SELECT data FROM parts WHERE id = ?", (part_id,))
        return _PART.validate_json(rows[0][0]) if rows else None

    def delete_part(self, part_id: str) -> None:
        with self._lock, self._write() as db:
            self._cache.clear()
            db.execute("DELETE FROM parts WHERE id = ?", (part_id,))

    # --- several records at once --------------------------------------------------------------------------

    def put_all(
        self,
        *,
        sessions: Iterable[Session] = (),
        messages: Iterable[Message] = (),
        parts: Iterable[Part] = (),
    ) -> None:
        """Write many records in one transaction (forks, imports): all or nothing."""
        with self._lock, self._write() as db:
            self._cache.clear()
            for session in sessions:
                self._put_session(db, session)
            for message in messages:
                self._put_message(db, message)
            for part in parts:
                self._put_part(db, part)
