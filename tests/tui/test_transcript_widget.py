"""The message log in a running app: loading, streaming, following, panels, errors, idleness."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Markdown

from agent_tui.core.events import MessageRemoved, MessageUpdated, PartUpdated
from agent_tui.core.models import (
    AssistantMessage,
    MessageTime,
    MessageWithParts,
    TextPart,
    ToolPart,
    ToolState,
    UserMessage,
)
from agent_tui.testing.streamed_events import streamed
from agent_tui.tui.transcript import Transcript, demo
from agent_tui.tui.transcript.blocks import TextBlock, ToolBlock
from agent_tui.tui.transcript.render import markdown_strips
from tests.tui.transcript_apps import TranscriptApp, settle, visible_text

SIZE = (100, 30)
S = demo.SESSION


def long_history(pairs: int) -> list[MessageWithParts]:
    out: list[MessageWithParts] = []
    for n in range(pairs):
        user = UserMessage(id=f"msg_{2 * n:06d}", session_id=S, time=MessageTime(created=demo.T0))
        out.append(MessageWithParts(info=user, parts=[
            TextPart(id=f"prt_{2 * n:06d}", session_id=S, message_id=user.id, text=f"question {n}"),
        ]))
        reply = AssistantMessage(id=f"msg_{2 * n + 1:06d}", session_id=S, provider="p", model="m",
                                 time=MessageTime(created=demo.T0, completed=demo.T0 + 1000))
        out.append(MessageWithParts(info=reply, parts=[
            TextPart(id=f"prt_{2 * n + 1:06d}", session_id=S, message_id=reply.id,
                     text=f"Answer **{n}** with a list:\n\n- one\n- two\n\n```python\nx = {n}\n```"),
            ToolPart(id=f"prt_{2 * n + 1:06d}b", session_id=S, message_id=reply.id, call_id=f"c{n}", tool="bash",
                     state=ToolState(status="completed", input={"command": f"echo {n}"}, output=str(n),
                                     time_start=demo.T0, time_end=demo.T0 + 5)),
        ]))
    return out


def reply_events(text: str, *, message_id: str = "msg_zzz", pieces: int = 20) -> list[object]:
    message = AssistantMessage(id=message_id, session_id=S, provider="p", model="m",
                               time=MessageTime(created=demo.T0))
    events: list[object] = [MessageUpdated(message=message)]
    step = max(1, len(text) // pieces)
    part = TextPart(id="prt_zzz", session_id=S, message_id=message_id, time_start=demo.T0)
    return events + streamed(part, [text[start : start + step] for start in range(0, len(text), step)])


def finish_events(text: str, message_id: str = "msg_zzz") -> list[object]:
    done = TextPart(id="prt_zzz", session_id=S, message_id=message_id, text=text, time_start=demo.T0,
                    time_end=demo.T0 + 2000)
    message = AssistantMessage(id=message_id, session_id=S, provider="p", model="model-x",
                               time=MessageTime(created=demo.T0, completed=demo.T0 + 2000), cost=Decimal("0.01"))
    return [PartUpdated(part=done), MessageUpdated(message=message)]


async def test_opening_a_long_session_renders_only_what_is_in_view() -> None:
    app = TranscriptApp(long_history(500))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        assert len(log.blocks) == 2000  # per pair: the question, text, a tool call, a footer
        assert log.renders < 60  # about a screenful (plus a margin), not 2,000 blocks
        assert not app.query(Markdown)  # no widget per message
        assert list(log.children) == []
        assert "question 499" in visible_text(log) or "x = 499" in visible_text(log)
        assert log.following


async def test_scrolling_up_renders_older_blocks_on_demand() -> None:
    app = TranscriptApp(long_history(100))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        log.scroll_home(animate=False)
        await pilot.pause()
        await pilot.pause()
        assert "question 0" in visible_text(log)


async def test_streaming_deltas_show_up_and_the_finished_reply_is_rendered_whole() -> None:
    text = "Here is the plan.\n\n1. Read the file\n2. Fix the bug\n\n```python\nprint('fixed')\n```\n\nDone now."
    app = TranscriptApp(demo.full_conversation()[:1])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        events = reply_events(text)
        for event in events[: len(events) // 2]:
            log.apply(event)
        await settle(pilot, log)
        assert "Here is the plan." in visible_text(log)
        assert "Done now." not in visible_text(log)
        for event in events[len(events) // 2 :] + finish_events(text):
            log.apply(event)
        await settle(pilot, log)
        shown = visible_text(log)
        assert "print('fixed')" in shown
        assert "Done now." in shown
        assert "model-x" in shown  # the footer of the finished message


async def test_the_end_of_a_reply_is_shown_at_once_from_the_streamed_lines() -> None:
    # Streamed one piece per frame, then finished: the last words and the footer are drawn by the finishing
    # events themselves (no frame left pending), the finished blocks are kept rather than rendered again, and
    # what is shown is exactly the whole text rendered at once.
    text = ("Here is **the plan** for `bus.py`.\n\n## Steps\n\n1. Read the file\n2. Fix the bug\n\n"
            "```python\nprint('fixed')\n```\n\n> checked twice\n\nDone now, with *all* of it.")
    app = TranscriptApp(demo.full_conversation()[:1])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        for event in reply_events(text, pieces=40):
            log.apply(event)
            await settle(pilot, log)
        block = next(b for b in log.blocks if isinstance(b, TextBlock))
        assert block.streaming
        for event in finish_events(text):
            log.apply(event)
        assert log.settled
        assert not block.streaming
        assert block.whole_renders == 0
        assert "Done now, with all of it." in visible_text(log)
        assert "model-x" in visible_text(log)
        whole = markdown_strips(log._render_context(), text)
        assert [list(line) for line in block.cached() or []] == [list(line) for line in whole]


async def test_deltas_are_coalesced_into_frames() -> None:
    app = TranscriptApp([])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        before = log.renders
        for event in reply_events("word " * 400, pieces=400):
            log.apply(event)  # no await: all in one frame
        await settle(pilot, log)
        assert log.renders - before <= 2


async def test_the_log_follows_the_reply_until_the_user_scrolls_up_and_resumes_at_the_bottom() -> None:
    app = TranscriptApp(long_history(30))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        text = "\n\n".join(f"Paragraph {i} of a long reply." for i in range(60))
        events = reply_events(text, pieces=30)
        for event in events[:10]:
            log.apply(event)
        await settle(pilot, log)
        assert log.following
        assert log.scroll_y == log.max_scroll_y

        await pilot.press("pageup")  # the user scrolls up while the reply streams
        await pilot.pause()
        assert not log.following
        held = log.scroll_y
        for event in events[10:]:
            log.apply(event)
        await settle(pilot, log)
        assert log.scroll_y == held  # new text does not pull the view down
        assert log.max_scroll_y > held

        await pilot.press("end")  # back at the bottom: following again
        await pilot.pause()
        assert log.following
        for event in finish_events(text):
            log.apply(event)
        await settle(pilot, log)
        assert log.scroll_y == log.max_scroll_y
        assert "Paragraph 59" in visible_text(log)


def panel(log: Transcript, tool: str) -> ToolBlock:
    return next(b for b in log.blocks if isinstance(b, ToolBlock) and b.part.tool == tool)


async def test_clicking_a_panel_header_toggles_it() -> None:
    app = TranscriptApp(demo.full_conversation())
    async with app.run_test(size=(120, 60)) as pilot:
        log = app.query_one(Transcript)
        log.scroll_home(animate=False)
        await settle(pilot, log)
        read = panel(log, "read")
        assert not read.expanded
        row = log.block_layout.top(log.block_layout.index[read]) - round(log.scroll_y)
        await pilot.click(Transcript, offset=(5, row))
        await settle(pilot, log)
        assert read.expanded
        assert "asyncio.Queue(maxsize=1000)" in visible_text(log)
        # The taller conversation may now scroll (the view follows the end): find the header again.
        row = log.block_layout.top(log.block_layout.index[read]) - round(log.scroll_y)
        await pilot.click(Transcript, offset=(5, row))
        await settle(pilot, log)
        assert not read.expanded


async def test_keyboard_selects_and_toggles_panels() -> None:
    app = TranscriptApp(demo.full_conversation())
    async with app.run_test(size=(120, 60)) as pilot:
        log = app.query_one(Transcript)
        log.scroll_home(animate=False)
        log.focus()
        await settle(pilot, log)
        await pilot.press("j")  # the first panel in view: the reasoning
        await pilot.press("j")  # then the read call
        assert log.panels.selected is panel(log, "read")
        await pilot.press("enter")
        await settle(pilot, log)
        assert panel(log, "read").expanded
        await pilot.press("space")
        await settle(pilot, log)
        assert not panel(log, "read").expanded


async def test_toggle_details_expands_then_collapses_every_panel() -> None:
    app = TranscriptApp(demo.full_conversation())
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        collapsible = [b for b in log.blocks if b.collapsible]
        assert not all(b.expanded for b in collapsible)
        log.toggle_details()
        await settle(pilot, log)
        assert all(b.expanded for b in collapsible)
        log.toggle_details()
        await settle(pilot, log)
        assert not any(b.expanded for b in collapsible)


async def test_a_running_tool_ticks_only_while_it_runs() -> None:
    app = TranscriptApp([])
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        message = AssistantMessage(id="msg_t", session_id=S, provider="p", model="m", time=MessageTime(created=0))
        running = ToolPart(id="prt_t", session_id=S, message_id="msg_t", call_id="c", tool="bash",
                           state=ToolState(status="running", input={"command": "sleep 5"},
                                           time_start=demo.T0 + 60_000, metadata={"output": "step 1\n"}))
        log.apply(MessageUpdated(message=message))
        log.apply(PartUpdated(part=running))
        await settle(pilot, log)
        assert log._tick.timer is not None
        assert "running 10s" in visible_text(log)  # the fixed clock is 70 s after T0
        assert "step 1" in visible_text(log)  # live output
        done = running.model_copy(update={"state": running.state.model_copy(update={
            "status": "completed", "output": "step 1\nstep 2", "time_end": demo.T0 + 63_000})})
        log.apply(PartUpdated(part=done))
        await settle(pilot, log)
        assert log._tick.timer is None  # nothing runs: no timer
        assert "3.0s" in visible_text(log)
        assert "step 2" in visible_text(log)


async def test_provider_errors_show_inline_with_the_action() -> None:
    app = TranscriptApp(demo.error_conversation())
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        shown = visible_text(log)
        assert "Authentication failed" in shown
        assert "OPENAI_API_KEY" in shown
        assert "Interrupted" in shown
        assert "interrupted" in shown  # the bash call cut off by the abort
        assert log._tick.timer is None


async def test_removed_messages_disappear_and_other_sessions_are_ignored() -> None:
    app = TranscriptApp(demo.full_conversation())
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        reply_id = demo.full_conversation()[1].info.id
        log.apply(MessageRemoved(session_id=S, message_id=reply_id))
        await settle(pilot, log)
        assert "14 tests" not in visible_text(log)
        other = AssistantMessage(id="msg_other", session_id="ses_other", provider="p", model="m")
        log.apply(MessageUpdated(message=other))
        log.apply(PartUpdated(part=TextPart(session_id="ses_other", message_id="msg_other", text="elsewhere")))
        await settle(pilot, log)
        assert "elsewhere" not in visible_text(log)


async def test_clear_empties_the_log() -> None:
    app = TranscriptApp(demo.full_conversation())
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        log.clear()
        await settle(pilot, log)
        assert visible_text(log).strip() == ""
        assert log.virtual_size.height == 0


async def test_the_log_stays_drawn_when_it_gains_focus_or_the_theme_changes() -> None:
    # Focusing restyles the widget; that used to drop every rendered block and draw nothing until the next event.
    app = TranscriptApp(demo.full_conversation())
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(Transcript)
        log.blur()
        await settle(pilot, log)
        shown = visible_text(log)
        assert shown.strip()
        renders = log.renders
        log.focus()
        await settle(pilot, log)
        assert visible_text(log) == shown
        assert log.renders == renders  # nothing looks different, so nothing is rendered again
        app.theme = "textual-light"
        await pilot.pause()  # the new theme's styles are applied on the next refresh
        await settle(pilot, log)
        assert visible_text(log) == shown
        assert log.renders > renders  # new colours: the blocks in view are rendered again


async def test_home_and_end_reach_the_ends_in_one_press() -> None:
    # Blocks rendered on the way (taller than estimated) used to push an animated scroll off its target.
    app = TranscriptApp(long_history(100))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await settle(pilot, log)
        await pilot.press("home")
        await pilot.pause(0.3)
        await settle(pilot, log)
        assert log.scroll_y == 0
        assert visible_text(log).startswith("▌ question 0")
        await pilot.press("end")
        await pilot.pause(0.3)
        await settle(pilot, log)
        assert log.scroll_y == log.max_scroll_y
        assert log.following
        await pilot.press("pageup", "pageup")
        await pilot.pause(0.3)
        assert not log.following
