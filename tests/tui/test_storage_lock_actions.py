"""The TUI's own writes never wait on another process's database lock either: starting a session, deleting one,
forking one and closing a crashed turn while a second process holds `BEGIN EXCLUSIVE`. Keys still echo, what
cannot be written now is kept and written once the lock is gone, and what cannot be done is said plainly."""

from __future__ import annotations

import socket

from agent_tui.core.models import AssistantMessage, MessageTime, TextPart, UserMessage
from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.confirm import ConfirmDialog
from tests.faults.test_storage_faults import LockHolder
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen
from tests.tui.test_storage_problem import notes, send_first_turn

HOLD_LIMIT = 60.0  # the holder lets go by itself after this: a UI stuck on the lock still lets the test end


def locked(service) -> LockHolder:  # type: ignore[no-untyped-def]
    # However long SQLite would wait for a lock on this connection, the UI must not wait on it.
    service.storage.set_busy_timeout(HOLD_LIMIT * 2)
    return LockHolder(service.storage.path, limit=HOLD_LIMIT)


async def echoes(pilot, app) -> bool:  # type: ignore[no-untyped-def]
    app.main.composer.clear()
    await type_text(pilot, "x")
    return app.main.composer.text == "x"


async def test_a_new_session_starts_and_is_saved_later(make_app, llm, title_llm):
    llm.add(Reply.of(text("reply while locked")))
    title_llm.add(Reply.of(text("Locked start")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        holder = locked(service)
        try:
            await type_text(pilot, "hello")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "reply while locked" in screen_text(app), what="the reply")
            assert await echoes(pilot, app)
            await wait_for(pilot, lambda: notes(app, "Cannot save to the database"), what="the notification")
            assert holder.holding
            assert [s.id for s in service.list()] == [app.main.session_id]  # listed while only in memory
        finally:
            holder.release()
        await wait_for(pilot, lambda: service.storage_problem is None, what="the retry")
        session_id = app.main.session_id
    stored = service.storage.get_session(session_id)
    assert stored is not None and stored.title == "Locked start"
    assert [m.info.role for m in service.storage.list_messages(session_id)] == ["user", "assistant"]


async def test_delete_and_fork_say_they_cannot_and_lose_nothing(make_app, llm, title_llm):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        await send_first_turn(pilot, app, llm, title_llm, "Keep me")
        session_id = app.main.session_id
        reply_id = service.messages(session_id)[-1].info.id
        holder = locked(service)
        try:
            app.action_delete_session(session_id)
            await wait_for_screen(pilot, ConfirmDialog)
            await pilot.press("y")
            await wait_for(pilot, lambda: notes(app, "Nothing was deleted"), what="the delete notice")
            assert await echoes(pilot, app)
            app.fork_from(reply_id)
            await wait_for(pilot, lambda: notes(app, "Nothing was forked"), what="the fork notice")
            assert await echoes(pilot, app)
            assert holder.holding
        finally:
            holder.release()
        assert [s.id for s in service.list()] == [session_id] and app.main.session_id == session_id
        assert [m.info.role for m in service.messages(session_id)] == ["user", "assistant"]


async def test_a_crashed_turn_is_closed_on_opening_and_saved_later(make_app, make_service):
    service = make_service()
    session = service.create(title="Crashed")
    user = UserMessage(session_id=session.id, time=MessageTime(created=1))
    reply = AssistantMessage(session_id=session.id, parent_id=user.id, provider="fake", model="m",
                             owner=f"{socket.gethostname()}:999999999",  # this host, a pid that cannot exist
                             time=MessageTime(created=2))
    service.storage.put_all(messages=[user, reply], parts=[
        TextPart(session_id=session.id, message_id=user.id, text="hi"),
        TextPart(session_id=session.id, message_id=reply.id, text="half a rep")])
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        holder = locked(service)
        try:
            app.main.show_session(session.id)
            await wait_for(pilot, lambda: "Interrupted" in screen_text(app), what="the closed turn")
            assert await echoes(pilot, app)
            assert holder.holding
        finally:
            holder.release()
        await wait_for(pilot, lambda: service.storage_problem is None, what="the retry")
    stored = service.storage.get_message(reply.id)
    assert isinstance(stored, AssistantMessage) and stored.time.completed is not None
    assert stored.error is not None and stored.error.kind == "aborted"
