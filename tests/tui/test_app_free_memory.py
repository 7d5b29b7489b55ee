"""After the process's first turn the TUI gives its one-time memory back (`core/free_memory.py`)."""

from __future__ import annotations

import linecache

from agent_tui.testing.fake_llm import Reply, text, usage
from agent_tui.tui.runner import TRIM_DELAY
from tests.tui.conftest import type_text, wait_for

SIZE = (120, 40)


def litellm_sources() -> list[str]:
    return [name for name in linecache.cache if "litellm" in name]


async def test_source_lines_read_for_tracebacks_are_dropped_after_the_first_turn(make_app, llm, title_llm) -> None:
    # litellm formats a traceback for a reply it cannot price (this model is missing from its price list), which
    # reads its own sources into linecache for good; one is read here as well, in case this process formatted
    # that traceback before (litellm does it once per message).
    llm.add(Reply.of(text("hello back"), usage(10, 5)))
    title_llm.add(Reply.of(text("Hello")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: app.runner.turns_run == 1 and not service.busy_sessions(), what="the reply")
        import litellm.utils

        linecache.getlines(litellm.utils.__file__)
        assert litellm_sources()
        await pilot.pause(TRIM_DELAY + 0.3)
        assert litellm_sources() == []
