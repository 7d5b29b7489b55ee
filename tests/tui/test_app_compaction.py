"""Compaction on screen (issue 12.3): a divider with the figures, the summary folded under a label, the meter drops."""

from __future__ import annotations

from agent_tui.core.models import AssistantMessage
from agent_tui.testing.fake_llm import Reply, text, usage
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for


async def _send(pilot, message: str) -> None:
    app = pilot.app
    await type_text(pilot, message)
    if app.main.composer.menu_open:
        await pilot.press("escape")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main.session_id is not None and not app.service.busy_sessions()
                   and app.main.transcript.settled, what=f"the turn for {message!r}", tries=1500)
    await pilot.pause(0.05)


async def test_compact_shows_a_divider_and_a_folded_summary_and_the_meter_drops(make_app, llm, title_llm):
    llm.add(Reply.of(text("A long answer."), usage(40_000, 200)))
    llm.add(Reply.of(text("SUMMARY-BODY: the user asked for a long answer."), usage(40_300, 1_200)))
    title_llm.add(Reply.of(text("Compaction")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _send(pilot, "hi")
        assert "40% of 100k" in screen_text(app)
        await _send(pilot, "/compact")
        shown = screen_text(app)
        assert "Conversation summarised: 40.2k → 1.2k tokens" in shown
        assert "SUMMARY-BODY" not in shown  # folded, not a stray reply
        assert "1% of 100k" in shown and "40% of 100k" not in shown
        # The block opens like a tool panel: select it and press Enter.
        log = app.main.transcript
        log.focus()
        await pilot.press("k", "enter")
        await wait_for(pilot, lambda: "SUMMARY-BODY" in screen_text(app), what="the summary unfolded")
        assert "Summary (sent to the model instead of the messages above)" in screen_text(app)


async def test_automatic_compaction_is_shown_the_same_way(make_app, llm, title_llm):
    llm.add(Reply.of(text("First answer."), usage(90_000, 500)))  # over 90% of the usable context
    llm.add(Reply.of(text("SUMMARY-BODY of the first answer."), usage(90_600, 800)))
    llm.add(Reply.of(text("Second answer, after the summary."), usage(2_000, 100)))
    title_llm.add(Reply.of(text("Auto compaction")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _send(pilot, "first")
        await _send(pilot, "second")
        service = app.service
        messages = service.messages(app.main.session_id)
        assert [isinstance(m.info, AssistantMessage) and m.info.summary for m in messages] == [
            False, False, True, False, False]
        shown = screen_text(app)
        assert "Conversation summarised: 90.5k → 800 tokens" in shown
        assert "SUMMARY-BODY" not in shown
        assert "Second answer, after the summary." in shown
        assert "2% of 100k" in shown
