"""What the user sees while the provider misbehaves: a retry's countdown and the model's silence (issue 10)."""

from __future__ import annotations

from agent_tui.testing.fake_llm import Reply, delay, error, text
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for


async def test_a_retry_shows_in_the_status_line_and_the_transcript_then_goes(make_app, llm, title_llm):
    llm.add(Reply.of(error(429, retry_after=2, message="slow down please")))
    llm.add(Reply.of(text("Answered after the retry.")))
    title_llm.add(Reply.of(text("Retry")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "retrying in" in str(app.main.status.notice), what="the status countdown",
                       tries=1500)  # the first send waits for litellm's import
        assert "(attempt 2 of 6)" in app.main.status.notice and "slow down please" in app.main.status.notice
        await wait_for(pilot, lambda: "↻ retrying in 2 s (attempt 2 of 6)" in screen_text(app),
                       what="the retry line in the transcript")
        await wait_for(pilot, lambda: "Answered after the retry." in screen_text(app), what="the answer")
        await wait_for(pilot, lambda: not app.service.busy_sessions(), what="the end")
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "↻ retrying" not in shown and "retrying in" not in shown
        assert app.main.status.notice == ""


async def test_the_status_line_counts_the_silence_of_a_stalled_stream(make_app, llm, title_llm):
    llm.add(Reply.of(text("Half of it"), delay(6.5), text(" and the rest.")))
    title_llm.add(Reply.of(text("Silence")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Half of it" in screen_text(app), what="the first text", tries=1500)
        await wait_for(pilot, lambda: "no data for 5 s" in screen_text(app), what="the silence count", tries=600)
        await wait_for(pilot, lambda: "and the rest." in screen_text(app), what="the rest", tries=600)
        await wait_for(pilot, lambda: not app.service.busy_sessions(), what="the end")
        await pilot.pause(0.1)
        assert "no data for" not in screen_text(app)
        assert app.main.status._tick is None  # no timer left running once idle
