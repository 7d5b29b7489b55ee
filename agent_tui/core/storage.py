"""SQLite storage for sessions, messages and parts.

One database file (WAL mode) shared safely by several running instances. Each record is stored as JSON next to
the indexed columns used to query it. Parts live in their own table so one streaming part can be written alone.
Every write is one transaction. Opening the file (private mode, refusing foreign or newer files, WAL, schema
migrations keyed on `PRAGMA user_version`) is storage_open.py's job; what a failure tells the user,
storage_errors.py's.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter

from agent_tui.core.history_cache import HistoryCache
from agent_tui.core.models import Message, MessageWithParts, Part, Session
from agent_tui.core.storage_errors import StorageError, failure
from agent_tui.core.storage_open import BUSY_TIMEOUT, MIGRATIONS, SCHEMA_VERSION, open_database

# Built on first use, like the models (core/deferred_models.py).
_MESSAGE = TypeAdapter(Message, config=ConfigDict(defer_build=True))
_PART = TypeAdapter(Part, config=ConfigDict(defer_build=True))
# The public names of the storage, wherever they are defined: opening and migrating are storage_open.py's job.
__all__ = ["BUSY_TIMEOUT", "MIGRATIONS", "SCHEMA_VERSION", "Storage", "StorageError"]


class Storage:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._busy_ms = int(BUSY_TIMEOUT * 1000)
        self._db = open_database(self.path)
        self._cache = HistoryCache()  # parsed histories for `history()`, kept up to date by every write here

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
                raise failure(self.path, "save to", exc) from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise failure(self.path, "save to", exc) from exc
                raise

    def _read(self, sql: str, args: Iterable[object] = ()) -> list[tuple[str, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(args)).fetchall()
            except sqlite3.Error as exc:
                raise failure(self.path, "read", exc) from exc

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
