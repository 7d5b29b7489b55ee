"""SQLite storage: CRUD, ordering, cascades, search, migrations, bad files and two writers at once."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from agent_tui.core import paths
from agent_tui.core.models import (
    AssistantMessage,
    Session,
    SessionTime,
    StepFinishPart,
    TextPart,
    TokenUsage,
    ToolPart,
    ToolState,
    UserMessage,
)
from agent_tui.core.storage import MIGRATIONS, SCHEMA_VERSION, Storage, StorageError


@pytest.fixture
def store(tmp_path: Path):
    storage = Storage(tmp_path / "agent-tui.db")
    yield storage
    storage.close()


def make_session(project: str = "prj_a", *, updated: int | None = None, title: str = "New session", **kw) -> Session:
    session = Session(project_id=project, directory="/work", title=title, **kw)
    if updated is not None:
        session.time = SessionTime(created=updated, updated=updated)
    return session


def user_turn(store: Storage, session: Session, text: str) -> UserMessage:
    message = UserMessage(session_id=session.id)
    store.put_message(message)
    store.put_part(TextPart(session_id=session.id, message_id=message.id, text=text))
    return message


def file_state(path: Path) -> dict[str, bytes]:
    """The bytes of a file and of any SQLite side files next to it."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.name.startswith(path.name)}


# --- basics -------------------------------------------------------------------------------------------------


def test_default_location_is_under_agent_tui_home(agent_tui_home: Path) -> None:
    storage = Storage(paths.database_path())
    try:
        assert storage.path == agent_tui_home / "data" / "agent-tui.db"
        assert storage.path.is_file()
    finally:
        storage.close()


def test_database_is_in_wal_mode_with_current_schema(store: Storage) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "messages", "parts"} <= tables


def test_session_create_read_update_delete(store: Storage) -> None:
    session = make_session(title="first")
    store.put_session(session)
    assert store.get_session(session.id) == session

    session.title = "renamed"
    session.cost = Decimal("0.25")
    store.put_session(session)
    loaded = store.get_session(session.id)
    assert loaded is not None and loaded.title == "renamed" and loaded.cost == Decimal("0.25")

    store.delete_session(session.id)
    assert store.get_session(session.id) is None
    assert store.get_session("ses_missing") is None


def test_messages_and_parts_are_returned_in_order_with_their_parts(store: Storage) -> None:
    session = make_session()
    store.put_session(session)
    question = user_turn(store, session, "what is in a.py?")
    answer = AssistantMessage(session_id=session.id, provider="openai", model="gpt-x", parent_id=question.id)
    store.put_message(answer)
    ids = {"session_id": session.id, "message_id": answer.id}
    text = TextPart(**ids, text="")
    tool = ToolPart(**ids, call_id="call_1", tool="read", state=ToolState(status="running", input={"path": "a.py"}))
    finish = StepFinishPart(**ids, tokens=TokenUsage(input=5, output=3), cost=Decimal("0.01"))
    for part in (text, tool, finish):
        store.put_part(part)

    # A streaming part is rewritten alone; its message and siblings stay as they are.
    for chunk in ("Let ", "me ", "look."):
        text.text += chunk
        store.put_part(text)
    tool.state = ToolState(status="completed", input={"path": "a.py"}, output="x = 1", title="a.py")
    store.put_part(tool)
    answer.tokens = TokenUsage(input=5, output=3)
    store.put_message(answer)

    history = store.list_messages(session.id)
    assert [m.info.id for m in history] == [question.id, answer.id]
    assert history[0].text() == "what is in a.py?"
    assert [p.id for p in history[1].parts] == [text.id, tool.id, finish.id]
    assert history[1].text() == "Let me look."
    stored_tool = history[1].parts[1]
    assert isinstance(stored_tool, ToolPart) and stored_tool.state.status == "completed"
    assert store.get_part(tool.id) == tool
    assert store.get_message(answer.id) == answer
    assert store.count_messages(session.id) == 2


def test_delete_message_removes_its_parts_only(store: Storage) -> None:
    session = make_session()
    store.put_session(session)
    keep = user_turn(store, session, "keep me")
    drop = user_turn(store, session, "drop me")
    drop_part = store.list_messages(session.id)[1].parts[0]

    store.delete_message(drop.id)
    assert store.get_message(drop.id) is None
    assert store.get_part(drop_part.id) is None
    assert [m.info.id for m in store.list_messages(session.id)] == [keep.id]
    assert store.list_messages(session.id)[0].text() == "keep me"


def test_delete_part(store: Storage) -> None:
    session = make_session()
    message = user_turn(store, session, "x")
    part = store.list_messages(session.id)[0].parts[0]
    store.delete_part(part.id)
    assert store.get_part(part.id) is None
    assert store.get_message(message.id) is not None


def test_delete_session_cascades_to_messages_parts_and_sub_agent_sessions(store: Storage) -> None:
    parent = make_session()
    child = make_session(parent_id=parent.id)
    grandchild = make_session(parent_id=child.id)
    other = make_session()
    for s in (parent, child, grandchild, other):
        store.put_session(s)
        user_turn(store, s, f"hello from {s.id}")

    store.delete_session(parent.id)

    for gone in (parent, child, grandchild):
        assert store.get_session(gone.id) is None
        assert store.list_messages(gone.id) == []
    assert store.get_session(other.id) == other
    assert store.list_messages(other.id)[0].text() == f"hello from {other.id}"
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT session_id FROM messages UNION SELECT session_id FROM parts").fetchall()
    sessions_with_rows = {r[0] for r in rows}
    assert sessions_with_rows == {other.id}


# --- listing and search -------------------------------------------------------------------------------------


def test_list_sessions_newest_first_with_limit_and_offset(store: Storage) -> None:
    sessions = [make_session(updated=1_000 + i, title=f"s{i}") for i in range(25)]
    for s in sessions:
        store.put_session(s)
    store.put_session(make_session("prj_other", updated=5_000))

    newest_first = [s.title for s in reversed(sessions)]
    assert [s.title for s in store.list_sessions("prj_a")] == newest_first
    assert [s.title for s in store.list_sessions("prj_a", limit=10)] == newest_first[:10]
    assert [s.title for s in store.list_sessions("prj_a", limit=10, offset=10)] == newest_first[10:20]
    assert [s.title for s in store.list_sessions("prj_a", limit=10, offset=20)] == newest_first[20:]
    assert store.list_sessions("prj_a", limit=10, offset=30) == []
    assert store.list_sessions("prj_nothing") == []


def test_updating_a_session_moves_it_to_the_top(store: Storage) -> None:
    old, new = make_session(updated=1_000, title="old"), make_session(updated=2_000, title="new")
    store.put_session(old)
    store.put_session(new)
    old.time.updated = 3_000
    store.put_session(old)
    assert [s.title for s in store.list_sessions("prj_a")] == ["old", "new"]


def test_sessions_updated_in_the_same_millisecond_list_newest_created_first(store: Storage) -> None:
    made = [make_session(updated=1_000, title=f"s{i}") for i in range(5)]
    for s in made:
        store.put_session(s)
    assert [s.title for s in store.list_sessions("prj_a")] == ["s4", "s3", "s2", "s1", "s0"]


def test_sub_agent_sessions_are_hidden_from_the_list_but_reachable(store: Storage) -> None:
    parent = make_session(updated=1_000)
    child = make_session(updated=2_000, parent_id=parent.id)
    store.put_session(parent)
    store.put_session(child)
    assert [s.id for s in store.list_sessions("prj_a")] == [parent.id]
    assert {s.id for s in store.list_sessions("prj_a", include_children=True)} == {parent.id, child.id}
    assert [s.id for s in store.children(parent.id)] == [child.id]


def test_search_finds_titles_and_message_text_case_insensitively(store: Storage) -> None:
    by_title = make_session(updated=1_000, title="Fix the Parser")
    by_text = make_session(updated=2_000, title="untitled")
    neither = make_session(updated=3_000, title="something else")
    elsewhere = make_session("prj_other", updated=4_000, title="parser in another project")
    for s in (by_title, by_text, neither, elsewhere):
        store.put_session(s)
    user_turn(store, by_text, "why does the PARSER choke on commas?")
    user_turn(store, neither, "nothing relevant")
    reasoning_only = AssistantMessage(session_id=neither.id, provider="p", model="m")
    store.put_message(reasoning_only)

    found = store.search_sessions("prj_a", "parser")
    assert [s.id for s in found] == [by_text.id, by_title.id]
    assert store.search_sessions("prj_a", "no such words") == []


def test_search_treats_like_wildcards_literally(store: Storage) -> None:
    percent = make_session(updated=1_000, title="100% done")
    plain = make_session(updated=2_000, title="1000 done")
    underscore = make_session(updated=3_000, title="a_b")
    for s in (percent, plain, underscore):
        store.put_session(s)
    assert [s.id for s in store.search_sessions("prj_a", "0%")] == [percent.id]
    assert [s.id for s in store.search_sessions("prj_a", "a_b")] == [underscore.id]
    assert store.search_sessions("prj_a", "\\") == []


def test_put_all_is_all_or_nothing(store: Storage) -> None:
    session = make_session()
    message = UserMessage(session_id=session.id)
    part = TextPart(session_id=session.id, message_id=message.id, text="hi")
    store.put_all(sessions=[session], messages=[message], parts=[part])
    assert store.list_messages(session.id)[0].text() == "hi"

    second = make_session()

    def broken():
        yield second
        raise RuntimeError("interrupted halfway")

    with pytest.raises(RuntimeError):
        store.put_all(sessions=broken())
    assert store.get_session(second.id) is None
    # The connection is usable again after the rollback.
    store.put_session(second)
    assert store.get_session(second.id) == second


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    first = Storage(path)
    session = make_session()
    first.put_session(session)
    user_turn(first, session, "persisted")
    first.close()
    second = Storage(path)
    try:
        assert second.get_session(session.id) == session
        assert second.list_messages(session.id)[0].text() == "persisted"
    finally:
        second.close()


# --- schema versions ----------------------------------------------------------------------------------------


def test_migrates_an_empty_version_0_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    storage = Storage(path)
    try:
        session = make_session()
        storage.put_session(session)
        assert storage.get_session(session.id) == session
    finally:
        storage.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)


def test_reopening_does_not_run_migrations_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "db.sqlite"
    Storage(path).close()
    ran: list[int] = []
    monkeypatch.setattr("agent_tui.core.storage_open.MIGRATIONS", [lambda db: ran.append(1)] * SCHEMA_VERSION)
    Storage(path).close()
    assert ran == []


def test_newer_schema_is_refused_with_the_path_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, something_new BLOB)")
        db.execute("INSERT INTO sessions VALUES ('ses_x', x'00')")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    before = file_state(path)

    with pytest.raises(StorageError) as info:
        Storage(path)
    message = str(info.value)
    assert str(path) in message
    assert "newer" in message
    assert str(SCHEMA_VERSION + 5) in message
    assert file_state(path) == before


@pytest.mark.parametrize(
    "content",
    [
        b"hello",
        b"This is a note, not a database.\n" * 200,
        bytes(range(256)) * 64,
        b"\x00" * 8192,
    ],
    ids=["short-text", "long-text", "binary", "zeros"],
)
def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "agent-tui.db"
    path.write_bytes(content)

    with pytest.raises(StorageError) as info:
        Storage(path)
    assert str(path) in str(info.value)
    assert "not an agent-tui database" in str(info.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent-tui.db"]


def test_a_database_of_another_program_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sessions (cookie TEXT)")
        db.execute("INSERT INTO sessions VALUES ('yum')")
    db.close()
    before = file_state(path)

    with pytest.raises(StorageError) as info:
        Storage(path)
    assert str(path) in str(info.value)
    assert file_state(path) == before


def test_a_folder_that_cannot_be_created_gives_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StorageError) as info:
        Storage(blocker / "data" / "agent-tui.db")
    assert str(blocker / "data") in str(info.value)
    assert blocker.read_text() == "a file where a folder should be"


def test_a_failing_migration_leaves_the_database_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite"
    Storage(path).close()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk on fire")

    monkeypatch.setattr("agent_tui.core.storage_open.MIGRATIONS", [*MIGRATIONS, broken])
    monkeypatch.setattr("agent_tui.core.storage_open.SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StorageError) as info:
        Storage(path)
    assert str(path) in str(info.value)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0


# --- two processes ------------------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from agent_tui.core.models import AssistantMessage, Session, TextPart, UserMessage
    from agent_tui.core.storage import Storage

    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.stdin.readline()  # start together: the parent releases both writers at once
    store = Storage(path)
    for i in range(count):
        if i == count // 2:
            # Meet the other writer halfway, so the second halves surely run at the same time.
            print("half", flush=True)
            sys.stdin.readline()
        session = Session(project_id="prj_shared", directory="/work", title=f"{tag}-{i}")
        store.put_session(session)
        user = UserMessage(session_id=session.id)
        store.put_message(user)
        store.put_part(TextPart(session_id=session.id, message_id=user.id, text=f"{tag} asks {i}"))
        answer = AssistantMessage(session_id=session.id, provider="fake", model="m")
        store.put_message(answer)
        part = TextPart(session_id=session.id, message_id=answer.id, text="")
        for word in ("streamed ", "answer ", str(i)):
            part.text += word
            store.put_part(part)
        session.title = f"{tag}-{i} done"
        store.put_session(session)
    store.close()
    print("ok", tag)
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    path = tmp_path / "shared.db"  # not created yet: both processes race to create and migrate it too
    count = 200  # per process: 200 sessions, 400 messages, 400 parts, 2000 write transactions
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), tag, str(count)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env,
        )
        for tag in ("alpha", "beta")
    ]
    def release_all() -> None:
        for w in writers:
            assert w.stdin is not None
            w.stdin.write("go\n")
            w.stdin.flush()

    release_all()
    for w in writers:
        assert w.stdout is not None
        w.stdout.readline()  # "half" (or nothing if the writer failed: its error is reported below)
    release_all()
    results = [w.communicate(timeout=300) for w in writers]
    for w, (out, err) in zip(writers, results, strict=True):
        assert w.returncode == 0, err
        assert err == ""
        assert out.startswith("ok")

    store = Storage(path)
    try:
        sessions = store.list_sessions("prj_shared", limit=10_000)
        assert len(sessions) == 2 * count
        for tag in ("alpha", "beta"):
            titles = {s.title for s in sessions if s.title.startswith(tag + "-")}
            assert titles == {f"{tag}-{i} done" for i in range(count)}
        for session in sessions:
            tag, i = session.title.removesuffix(" done").split("-")
            history = store.list_messages(session.id)
            assert [m.info.role for m in history] == ["user", "assistant"]
            assert history[0].text() == f"{tag} asks {i}"
            assert history[1].text() == f"streamed answer {i}"
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The writes really interleaved (otherwise this test proved nothing): in insertion order the
        # sessions' owners switch back and forth, not just once.
        rows = db.execute("SELECT data FROM sessions ORDER BY rowid").fetchall()
    owners = [json.loads(r[0])["title"].split("-")[0] for r in rows]
    switches = sum(1 for a, b in itertools.pairwise(owners) if a != b)
    assert switches >= 3, owners


OPENER = textwrap.dedent(
    """
    import sys
    from agent_tui.core.storage import Storage
    sys.stdin.readline()
    Storage(sys.argv[1]).close()
    """
)


def test_two_processes_creating_the_database_at_the_same_moment(tmp_path: Path, subprocess_env: dict[str, str]):
    """Both race to create, check and switch a new file to WAL; neither may fail ("database is locked", or the
    other's half-made schema taken for a foreign database). The race is narrow, so it is run many times."""
    for attempt in range(30):
        path = tmp_path / f"race-{attempt}.db"
        openers = [
            subprocess.Popen([sys.executable, "-c", OPENER, str(path)], stdin=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=subprocess_env)
            for _ in range(2)
        ]
        for opener in openers:
            assert opener.stdin is not None
            opener.stdin.write("go\n")
            opener.stdin.flush()
        for opener in openers:
            _, err = opener.communicate(timeout=180)
            assert opener.returncode == 0, err
