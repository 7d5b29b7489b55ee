"""`Storage.history`: the parsed history kept between steps (core/history_cache.py).

It must always equal a fresh `list_messages`: after our own writes, after writes by another connection or another
process on the same file, after deletions and forks, and after a write that failed. And it must not parse again
what did not change (checked by identity, not by time).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent_tui.core.models import AssistantMessage, Message, Part, Session, TextPart, ToolPart, UserMessage
from agent_tui.core.storage import Storage, StorageError


@pytest.fixture
def store(tmp_path: Path):
    storage = Storage(tmp_path / "agent-tui.db")
    yield storage
    storage.close()


def dump(history) -> list[tuple[str, list[str]]]:
    return [(m.info.model_dump_json(), [p.model_dump_json() for p in m.parts]) for m in history]


def same_as_stored(store: Storage, session_id: str) -> None:
    assert dump(store.history(session_id)) == dump(store.list_messages(session_id))


def turn(store: Storage, session_id: str, text: str) -> tuple[Message, Part]:
    user = UserMessage(session_id=session_id)
    store.put_message(user)
    store.put_part(TextPart(session_id=session_id, message_id=user.id, text=text))
    assistant = AssistantMessage(session_id=session_id, provider="p", model="m", parent_id=user.id)
    store.put_message(assistant)
    part = TextPart(session_id=session_id, message_id=assistant.id, text="")
    store.put_part(part)
    return assistant, part


def test_history_follows_our_own_writes_and_parses_only_what_changed(store: Storage) -> None:
    sid = "ses_a"
    turn(store, sid, "one")
    before = store.history(sid)
    assert store.history(sid) is before  # nothing written: the same list, nothing parsed
    assistant, part = turn(store, sid, "two")
    for chunk in ("Hel", "lo", " there"):  # a part streaming: written again and again
        part.text += chunk
        store.put_part(part)
    assistant.tokens.output = 7  # type: ignore[union-attr]
    store.put_message(assistant)
    after = store.history(sid)
    same_as_stored(store, sid)
    assert after[-1].parts[-1].text == "Hello there"  # type: ignore[union-attr]
    # The first turn was not parsed again: its records are the very same objects.
    assert after[0] is before[0] and after[1] is before[1]
    assert [m.info.role for m in after] == ["user", "assistant", "user", "assistant"]


def test_parts_and_hidden_parts_keep_their_order(store: Storage) -> None:
    sid = "ses_a"
    user = UserMessage(session_id=sid)
    store.put_message(user)
    typed = TextPart(session_id=sid, message_id=user.id, text="/review src")
    hidden = TextPart(session_id=sid, message_id=user.id, text="expanded command", synthetic=True)
    store.history(sid)
    store.put_part(hidden)  # written first, but its id is later: order is by id, as in list_messages
    store.put_part(typed)
    same_as_stored(store, sid)
    assert [p.synthetic for p in store.history(sid)[0].parts] == [False, True]  # type: ignore[union-attr]


def test_writes_by_another_connection_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    ours, theirs = Storage(path), Storage(path)
    try:
        sid = "ses_a"
        _, part = turn(ours, sid, "one")
        assert ours.history(sid)[-1].parts[-1].text == ""  # type: ignore[union-attr]
        part.text = "written by the other instance"  # type: ignore[union-attr]
        theirs.put_part(part)
        turn(theirs, sid, "two")
        same_as_stored(ours, sid)
        assert ours.history(sid)[1].parts[-1].text == "written by the other instance"  # type: ignore[union-attr]
        assert len(ours.history(sid)) == 4
    finally:
        ours.close()
        theirs.close()


def test_writes_by_another_process_are_seen(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    path = tmp_path / "shared.db"
    store = Storage(path)
    try:
        sid = "ses_a"
        turn(store, sid, "one")
        assert len(store.history(sid)) == 2
        child = textwrap.dedent(
            """
            import sys
            from agent_tui.core.models import TextPart, UserMessage
            from agent_tui.core.storage import Storage
            store = Storage(sys.argv[1])
            user = UserMessage(session_id="ses_a")
            store.put_message(user)
            store.put_part(TextPart(session_id="ses_a", message_id=user.id, text="from the other process"))
            store.close()
            """
        )
        subprocess.run([sys.executable, "-c", child, str(path)], check=True, env=subprocess_env, timeout=60)
        history = store.history(sid)
        same_as_stored(store, sid)
        assert history[-1].parts[0].text == "from the other process"  # type: ignore[union-attr]
    finally:
        store.close()


def test_deletions_and_forks_are_seen(store: Storage) -> None:
    sid = "ses_a"
    assistant, part = turn(store, sid, "one")
    turn(store, sid, "two")
    store.history(sid)
    store.delete_part(part.id)
    same_as_stored(store, sid)
    store.delete_message(assistant.id)
    same_as_stored(store, sid)
    assert len(store.history(sid)) == 3
    copy = UserMessage(session_id=sid)
    store.put_all(messages=[copy], parts=[TextPart(session_id=sid, message_id=copy.id, text="imported")])
    same_as_stored(store, sid)
    store.delete_session(sid)
    assert store.history(sid) == []


def test_a_write_that_failed_leaves_the_cache_as_the_database(tmp_path: Path) -> None:
    path = tmp_path / "agent-tui.db"
    store = Storage(path)
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        sid = "ses_a"
        _, part = turn(store, sid, "one")
        store.history(sid)
        store.set_busy_timeout(0.05)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        part.text = "never stored"  # type: ignore[union-attr]
        with pytest.raises(StorageError):
            store.put_part(part)
        blocker.execute("ROLLBACK")
        same_as_stored(store, sid)
        assert store.history(sid)[-1].parts[-1].text == ""  # type: ignore[union-attr]
    finally:
        blocker.close()
        store.close()


def test_a_session_cached_among_many_stays_correct(store: Storage) -> None:
    sessions = [f"ses_{i}" for i in range(12)]  # more than the cache keeps
    for sid in sessions:
        turn(store, sid, sid)
        store.history(sid)
    for sid in sessions:
        turn(store, sid, "again")
        same_as_stored(store, sid)


def test_tool_parts_round_trip(store: Storage) -> None:
    sid = "ses_a"
    assistant, _ = turn(store, sid, "one")
    store.history(sid)
    tool = ToolPart(session_id=sid, message_id=assistant.id, call_id="c1", tool="read")
    store.put_part(tool)
    tool.state.status = "completed"
    tool.state.output = "file contents"
    store.put_part(tool)
    same_as_stored(store, sid)


def test_sessions_records_do_not_touch_the_message_cache(store: Storage) -> None:
    sid = "ses_a"
    turn(store, sid, "one")
    before = store.history(sid)
    store.put_session(Session(id=sid, project_id="prj", directory="/w", title="renamed"))
    assert store.history(sid) is before


def test_a_long_paste_is_not_kept_in_the_cache_but_read_again_for_each_history(store: Storage) -> None:
    # Issue 10: the history cache kept a 100,000-line paste in memory for as long as its session was cached.
    import gc

    from agent_tui.core.models import PastedText

    sid = "ses_paste"
    user = UserMessage(session_id=sid)
    store.put_message(user)
    body = "a line of the pasted log\n" * 20_000
    paste = TextPart(session_id=sid, message_id=user.id, text=body,
                     paste=PastedText(number=1, lines=20_000, size=len(body)))
    store.put_part(paste)
    turn(store, sid, "what does it say?")
    same_as_stored(store, sid)
    assert [p.text for m in store.history(sid) for p in m.parts if p.id == paste.id] == [body]
    same_as_stored(store, sid)  # again: read from the database, not from memory
    gc.collect()
    kept = [o for o in gc.get_objects() if isinstance(o, TextPart) and o.id == paste.id]
    assert kept == [paste]  # only this test's own record: the cache holds no parsed copy ...
    row = store._cache._sessions[sid].parts[user.id][paste.id]
    assert row.data is None and row.record is None  # ... nor its JSON
