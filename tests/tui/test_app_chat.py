"""Pilot tests of a conversation: send, stream, tool panels, abort, queueing, background sessions, errors."""

from __future__ import annotations

from agent_tui.core.models import AssistantMessage, FilePart, ToolPart
from agent_tui.testing.fake_llm import Reply, delay, error, text, tool_call, usage
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for


def assistant_messages(service, session_id):
    return [m for m in service.messages(session_id) if isinstance(m.info, AssistantMessage)]


async def test_send_streams_reply_and_updates_sidebar_and_status(make_app, llm, title_llm):
    llm.add(Reply.of(text("Hello from **the model**", chunks=4), usage(1200, 34)))
    title_llm.add(Reply.of(text("Greeting the model")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is app.main.composer.input
        await type_text(pilot, "hi there")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the reply")
        session = service.list()[0]
        await wait_for(pilot, lambda: service.get(session.id).title == "Greeting the model", what="the title")
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "hi there" in shown
        assert "Hello from the model" in shown  # Markdown rendered, not raw asterisks
        assert "Greeting the model" in shown  # the sidebar took the generated title
        status = app.main.status
        assert status.model == "fake/m"
        assert status.turn_tokens == 1234
        assert "1% of 100k" in shown  # context use of the last turn
        assert not status.busy
        assert app.main.composer.text == ""
        assert llm.requests[0].messages[-1]["content"] in ("hi there", [{"type": "text", "text": "hi there"}])


async def test_tool_call_panel_reaches_completed(make_app, llm, title_llm, project_dir):
    llm.add(Reply.of(tool_call("read", {"file_path": str(project_dir / "hello.py")}, id="call_1")))
    llm.add(Reply.of(text("It prints hello.")))
    title_llm.add(Reply.of(text("Reading hello")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "what does hello.py do")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        session_id = service.list()[0].id
        reply = assistant_messages(service, session_id)[-1]
        tools = [p for p in reply.parts if isinstance(p, ToolPart)]
        assert [t.state.status for t in tools] == ["completed"]
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "hello.py" in shown
        assert "It prints hello." in shown


async def test_esc_aborts_mid_stream_keeps_partial_text_and_session_stays_usable(make_app, llm, title_llm):
    llm.add(Reply.of(text("First part. "), delay(30), text("never sent")))
    llm.add(Reply.of(text("Second answer")))
    title_llm.add(Reply.of(text("Abort test")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "start")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: "First part." in screen_text(app), what="the first chunk")
        assert app.main.status.busy and not app.main.status.waiting
        assert "● working" in screen_text(app)
        assert app.focused is app.main.composer.input  # Esc works while the prompt has focus
        await pilot.press("escape")
        await wait_for(pilot, lambda: not service.busy_sessions(), what="the abort")
        session_id = service.list()[0].id
        reply = assistant_messages(service, session_id)[-1]
        assert reply.info.error is not None and reply.info.error.kind == "aborted"
        assert "First part." in reply.text()
        assert "never sent" not in reply.text()
        await wait_for(pilot, lambda: "Interrupted" in screen_text(app), what="the interrupted mark")
        await type_text(pilot, "again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(assistant_messages(service, session_id)) == 2
                       and not service.busy_sessions(), what="the second turn")
        assert assistant_messages(service, session_id)[-1].text() == "Second answer"
        assert not app.main.status.busy


async def test_message_sent_while_busy_is_queued_then_sent(make_app, llm, title_llm):
    llm.add(Reply.of(text("Working on it"), delay(3), text(" done.")))  # long enough to type on a busy machine
    llm.add(Reply.of(text("Queued one answered")))
    title_llm.add(Reply.of(text("Queue test")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Working on it" in screen_text(app), what="streaming")
        await type_text(pilot, "second")
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert "queued: second" in screen_text(app)
        assert app.main.status.queued == 1
        assert len(llm.requests) == 1  # not sent yet
        service = app.service
        session_id = service.list()[0].id
        await wait_for(pilot, lambda: len(assistant_messages(service, session_id)) == 2
                       and not service.busy_sessions(), what="the queued turn")
        assert "second" in str(llm.requests[1].messages[-1]["content"])
        assert assistant_messages(service, session_id)[-1].text() == "Queued one answered"
        await pilot.pause(0.05)
        assert "queued:" not in screen_text(app)
        assert app.main.status.queued == 0


async def test_switching_sessions_while_one_streams_in_background(make_app, llm, title_llm):
    llm.add(Reply.of(text("Slow start"), delay(0.6), text(" slow end.")))
    llm.add(Reply.of(text("Quick answer")))
    title_llm.add(Reply.of(text("Slow session")), Reply.of(text("Quick session")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        await type_text(pilot, "slow")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Slow start" in screen_text(app), what="the slow stream")
        slow_id = app.main.session_id
        await pilot.press("ctrl+n")
        assert app.main.session_id is None
        assert "Slow start" not in screen_text(app)
        await type_text(pilot, "quick")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Quick answer" in screen_text(app), what="the quick reply")
        quick_id = app.main.session_id
        assert quick_id != slow_id
        assert "slow end" not in screen_text(app)  # the other session's stream stays off screen
        await wait_for(pilot, lambda: not service.busy_sessions(), what="the background session")
        assert assistant_messages(service, slow_id)[-1].text() == "Slow start slow end."
        # Back to the first session with the switcher (fuzzy search).
        await pilot.press("ctrl+s")
        await type_text(pilot, "slw")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.session_id == slow_id, what="the switch")
        await pilot.pause(0.1)
        assert "Slow start slow end." in screen_text(app)


async def test_provider_error_is_shown_inline_with_an_action(make_app, llm, title_llm):
    llm.add(Reply.of(error(401, message="invalid api key")))
    title_llm.add(Reply.of(text("Error test")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the failed turn")
        reply = assistant_messages(service, service.list()[0].id)[-1]
        assert reply.info.error is not None and reply.info.error.kind == "auth"
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert reply.info.error.message.splitlines()[0][:40] in shown
        # The action names settings that exist: a custom provider reads no FAKE_API_KEY variable.
        assert "Set provider.fake.api_key in agent-tui.json" in shown
        assert "FAKE_API_KEY" not in shown
        assert not app.main.status.busy


async def test_at_completion_attaches_the_file(make_app, llm, title_llm):
    llm.add(Reply.of(text("Seen it")))
    title_llm.add(Reply.of(text("Attach test")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "look at @hel")
        await wait_for(pilot, lambda: app.main.composer.menu_open, what="the file menu")
        assert "hello.py" in screen_text(app)
        await pilot.press("tab")
        assert app.main.composer.text == "look at @hello.py "
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        user = service.messages(service.list()[0].id)[0]
        files = [p for p in user.parts if isinstance(p, FilePart)]
        assert [f.filename for f in files] == ["hello.py"]


async def test_page_keys_in_the_prompt_scroll_the_log_while_a_reply_streams(make_app, llm, title_llm):
    long = "\n\n".join(f"Paragraph {i}." for i in range(80))
    llm.add(Reply.of(text(long, chunks=4), delay(0.6), text("\n\nThe end.")))
    title_llm.add(Reply.of(text("Scrolling")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "write a lot")
        await pilot.press("enter")
        log = app.main.transcript
        await wait_for(pilot, lambda: "Paragraph 79." in screen_text(app), what="the long text")
        await type_text(pilot, "draft")
        await pilot.press("pageup")
        await pilot.pause(0.05)
        assert app.focused is app.main.composer.input  # typing goes on in the prompt
        assert not log.following
        held = log.scroll_y
        await wait_for(pilot, lambda: not app.service.busy_sessions(), what="the end of the reply")
        await pilot.pause(0.1)
        assert log.scroll_y == held  # the reply did not pull the view down
        assert "The end." not in screen_text(app)
        for _ in range(5):
            await pilot.press("pagedown")
        await pilot.pause(0.1)
        assert log.following
        assert "The end." in screen_text(app)
        assert app.main.composer.text == "draft"


async def test_status_says_it_waits_for_the_model_until_the_first_output(make_app, llm, title_llm):
    llm.add(Reply.of(delay(1.0), text("Late but here."), delay(1.0), text(" Done.")))
    title_llm.add(Reply.of(text("Waiting")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "waiting for the model" in screen_text(app), what="the waiting hint")
        await wait_for(pilot, lambda: "Late but here." in screen_text(app), what="the first text")
        assert "waiting for the model" not in screen_text(app) and "● working" in screen_text(app)
        await wait_for(pilot, lambda: not app.service.busy_sessions(), what="the end")
