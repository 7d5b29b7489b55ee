"""Compaction near the context limit, /compact, and title generation with its fallback."""

from __future__ import annotations

import asyncio

from agent_tui.core.models import AssistantMessage
from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import Reply, error, text, usage

SMALL_MODEL = {"limit": {"context": 10_000, "output": 1_000}, "cost": {"input": 1, "output": 2}}


async def test_turn_over_90_percent_triggers_a_summary_before_the_next_turn(make_service, llm):
    svc = make_service(tools=ToolRegistry([]), provider={
        "fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test", "models": {"m": SMALL_MODEL}},
    })
    session = svc.create(title="fixed")
    # usable context = 10,000 - 1,000 = 9,000; 90% of it = 8,100 tokens.
    llm.add(Reply.of(text("first answer"), usage(8_000, 200)))
    await svc.chat(session.id, "first question")
    llm.add(Reply.of(text("We discussed the first question."), usage(500, 50)))  # the summary
    llm.add(Reply.of(text("second answer"), usage(600, 20)))
    reply = await svc.chat(session.id, "second question")
    assert reply.error is None
    summary_request, turn_request = llm.requests[1], llm.requests[2]
    assert summary_request.tools == [] or summary_request.tools is None
    assert "Summarise the conversation" in summary_request.messages[-1]["content"]
    history = svc.messages(session.id)
    summaries = [m for m in history if isinstance(m.info, AssistantMessage) and m.info.summary]
    assert len(summaries) == 1 and summaries[0].text() == "We discussed the first question."
    assert summaries[0].info.cost > 0 and summaries[0].info.tokens.output == 50  # summaries cost money too
    total = sum(m.info.cost for m in history if isinstance(m.info, AssistantMessage))
    assert svc.get(session.id).cost == total
    # After the summary only the messages from it on are sent.
    sent = str(turn_request.messages)
    assert "first answer" not in sent and "We discussed the first question." in sent
    assert "second question" in sent
    # The whole history stays in storage.
    assert "first answer" in str([m.text() for m in history])


async def test_below_the_threshold_nothing_is_summarised(make_service, llm):
    svc = make_service(tools=ToolRegistry([]), provider={
        "fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test", "models": {"m": SMALL_MODEL}},
    })
    session = svc.create(title="fixed")
    llm.add(Reply.of(text("a"), usage(7_000, 100)))
    llm.add(Reply.of(text("b"), usage(7_100, 100)))
    await svc.chat(session.id, "one")
    await svc.chat(session.id, "two")
    assert len(llm.requests) == 2


async def test_compact_on_demand(make_service, llm):
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create(title="fixed")
    llm.add(Reply.of(text("answer")))
    await svc.chat(session.id, "question")
    llm.add(Reply.of(text("Summary: asked a question, got an answer.")))
    summary = await svc.compact(session.id)
    assert summary.summary and summary.error is None
    llm.add(Reply.of(text("next")))
    await svc.chat(session.id, "more")
    roles = [m["role"] for m in llm.requests[-1].messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert "Summary: asked a question" in llm.requests[-1].messages[1]["content"]


async def test_failed_title_falls_back_to_the_first_line(make_service, llm, title_llm):
    title_llm.add(Reply.of(error(500)))
    llm.add(Reply.of(text("sure")))
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create()
    message = "\n  Refactor the   upload module so that retries are configurable and tested well\nmore"
    await svc.chat(session.id, message)
    for _ in range(1500):  # up to 30 s, for a loaded machine
        if svc.get(session.id).title_generated:
            break
        await asyncio.sleep(0.02)
    title = svc.get(session.id).title
    assert title.startswith("Refactor the upload module") and len(title) <= 50
    assert len(title_llm.requests) == 1  # a title is never retried


async def test_title_never_blocks_the_reply(make_service, llm, title_llm):
    from agent_tui.testing.fake_llm import delay

    title_llm.add(Reply.of(delay(30), text("Slow title")))
    llm.add(Reply.of(text("fast reply")))
    svc = make_service(tools=ToolRegistry([]))
    session = svc.create()
    reply = await asyncio.wait_for(svc.chat(session.id, "hello"), 120)
    assert reply.error is None
    assert not svc.get(session.id).title_generated
