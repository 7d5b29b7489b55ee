"""The TUI leaves full garbage-collector passes to the end of each turn (`tui/idle_collection.py`)."""

from __future__ import annotations

import gc

from agent_tui.core import collector
from agent_tui.testing.fake_llm import Reply, text, usage
from tests.tui.conftest import type_text, wait_for

SIZE = (120, 40)


async def test_a_turn_end_runs_the_full_pass_and_no_full_pass_runs_on_its_own(make_app, llm, title_llm) -> None:
    llm.add(Reply.of(*[text(f"word{i} ") for i in range(200)], usage(100, 200)))
    title_llm.add(Reply.of(text("Hello")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert collector.full_passes_deferred()
        assert gc.get_threshold()[2] == collector.NEVER
        assert app.idle_collection.passes == []
        await type_text(pilot, "hello")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the reply")
        await wait_for(pilot, lambda: bool(app.idle_collection.passes), what="the idle pass")
        assert app.idle_collection.passes[-1].collected >= 0
    # Closed: the interpreter runs its own full passes again (another app, or nothing, may follow).
    assert not collector.full_passes_deferred()
    assert gc.get_threshold()[2] != collector.NEVER
