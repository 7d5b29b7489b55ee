"""Pilot tests of sending: a failed send leaves nothing behind, the view follows the reply, quitting mid-stream."""

from __future__ import annotations

from agent_tui.core.models import AssistantMessage, MessageTime, TextPart, UserMessage
from agent_tui.testing.fake_llm import Reply, delay, text
from agent_tui.tui.dialogs.confirm import ConfirmDialog
from agent_tui.tui.dialogs.first_run import FirstRunDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


async def test_a_send_without_provider_leaves_the_app_idle_with_the_text_back_and_no_session(make_app, make_service):
    # Issue 12.2: "Could not send", then "working" forever, Esc did not clear it, an empty session was listed.
    service = make_service(providers=False)
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, FirstRunDialog)
        await pilot.press("enter")
        await type_text(pilot, "hello there")
        await pilot.press("enter")
        await wait_for_screen(pilot, FirstRunDialog)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert any("No model provider is configured" in str(n.message) for n in app._notifications)
        assert app.main.composer.text == "hello there"
        assert not app.main.status.busy
        assert "working" not in screen_text(app) and "idle" in screen_text(app)
        assert service.list() == []
        assert app.main.session_id is None
        assert "hello there" not in "".join(s.title for s in app.main.sidebar.sessions)
        # Esc on an idle app does nothing harmful, and a second try fails the same clean way.
        await pilot.press("escape")
        await pilot.press("enter")
        await wait_for_screen(pilot, FirstRunDialog)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.main.composer.text == "hello there" and not app.main.status.busy and service.list() == []


def _long_session(service, count: int = 1000) -> str:
    """A session with `count` stored messages (questions and replies), written in one transaction."""
    session = service.create(title="Long one")
    messages, parts = [], []
    for n in range(count // 2):
        question = UserMessage(session_id=session.id)
        messages.append(question)
        parts.append(TextPart(session_id=session.id, message_id=question.id, text=f"Question {n}?"))
        reply = AssistantMessage(session_id=session.id, provider="fake", model="m",
                                 time=MessageTime(completed=question.time.created + 1))
        messages.append(reply)
        parts.append(TextPart(session_id=session.id, message_id=reply.id,
                              text=f"Answer {n}.\n\nA second paragraph of answer {n}."))
    service.storage.put_all(messages=messages, parts=parts)
    return session.id


async def test_sending_while_scrolled_back_in_a_long_session_follows_the_new_reply(make_app, make_service, llm,
                                                                                   title_llm):
    # Issue 12.5 and issue 10: scrolled back with PageUp, the reply was stored but not shown until the user
    # scrolled all the way down.
    llm.add(Reply.of(text("The fresh reply, " * 10, chunks=10), delay(0.3), text("and its end.")))
    service = make_service()
    session_id = _long_session(service)
    app = make_app(service, session_id=session_id)
    async with app.run_test(size=SIZE) as pilot:
        log = app.main.transcript
        await wait_for(pilot, lambda: "Answer 499." in screen_text(app), what="the end of the history")
        for _ in range(6):
            await pilot.press("pageup")
        await pilot.pause(0.05)
        assert not log.following and "Answer 499." not in screen_text(app)
        await type_text(pilot, "one more question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "one more question" in screen_text(app), what="the question on screen")
        await wait_for(pilot, lambda: "and its end." in screen_text(app), what="the reply followed to its end")
        assert log.following
        assert log.scroll_y == log.max_scroll_y


async def test_quitting_while_a_reply_streams_keeps_what_arrived(make_app, make_service, llm, title_llm):
    # Issue 12.13 (the time it takes is measured in benchmarks/quit_mid_stream.py).
    llm.add(Reply.of(text("Kept part of the reply. ", chunks=3), delay(30), text("never arrives")))
    title_llm.add(Reply.of(text("Quitting")))
    service = make_service()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "start")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Kept part of the reply." in screen_text(app), what="the first chunks")
        session_id = app.main.session_id
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="the exit")
    assert app.return_code == 0
    reply = service.messages(session_id)[-1]
    assert isinstance(reply.info, AssistantMessage)
    assert reply.text().strip() == "Kept part of the reply."
    assert reply.info.time.completed is not None and reply.info.error is not None
    assert not service.busy_sessions()
