"""Which cost is recorded: the config's prices, else the provider's own figure (usage.cost), else the price map;
and `cost_report` (what /cost shows) by model and by kind of token."""

from __future__ import annotations

from decimal import Decimal

from agent_tui.core.models import StepFinishPart
from agent_tui.testing.fake_llm import Reply, text, tool_call, usage
from tests.session.conftest import MODEL_LIMITS, provider_config


def steps(svc, session_id: str) -> list[StepFinishPart]:
    return [p for m in svc.messages(session_id) for p in m.parts if isinstance(p, StepFinishPart)]


def with_models(llm, **models) -> dict:
    config = provider_config(llm)
    config["models"] = models
    return {"fake": config}


async def test_the_providers_figure_beats_the_price_map(make_service, llm, title_llm):
    svc = make_service(provider={**with_models(llm, **{"gpt-4o-mini": {}}), "titles": provider_config(title_llm)},
                       model="fake/gpt-4o-mini")
    session = svc.create(title="t")
    llm.add(Reply.of(text("reported"), usage(1000, 100, cost=0.0123)))
    llm.add(Reply.of(text("not reported"), usage(1000, 100)))
    await svc.chat(session.id, "one")
    await svc.chat(session.id, "two")
    first, second = steps(svc, session.id)
    assert (first.cost, first.cost_source, first.cost_by_kind) == (Decimal("0.0123"), "provider", {})
    # gpt-4o-mini in litellm's map: $0.15 / $0.60 per million.
    assert second.cost_source == "price map"
    assert second.cost_by_kind == {"input": Decimal("0.000150"), "output": Decimal("0.000060")}
    assert svc.get(session.id).cost == Decimal("0.0123") + Decimal("0.00021")

    report = svc.cost_report(session.id)
    line = report.models["fake/gpt-4o-mini"]
    assert line.cost == report.total.cost == svc.get(session.id).cost
    assert line.unsplit == Decimal("0.0123") and line.by_kind["input"] == Decimal("0.000150")
    assert line.tokens.input == 2000 and line.tokens.output == 200
    assert line.sources == ["provider", "price map"]


async def test_config_prices_beat_the_providers_figure(make_service, llm):
    svc = make_service()  # MODEL_LIMITS: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million
    assert MODEL_LIMITS["cost"]["input"] == 3
    session = svc.create(title="t")
    llm.add(Reply.of(text("hi"), usage(1_000_000, 100_000, reasoning=10_000, cache_read=200_000, cache_write=0,
                                       cost=99.0)))
    await svc.chat(session.id, "one")
    [step] = steps(svc, session.id)
    assert step.cost_source == "config"
    assert step.cost_by_kind == {"input": Decimal(3), "output": Decimal("1.5"), "reasoning": Decimal("0.15"),
                                 "cache_read": Decimal("0.06")}
    assert step.cost == Decimal("4.71")


async def test_the_report_counts_sub_agents_and_summaries(make_service, llm):
    svc = make_service()
    session = svc.create(title="t")
    llm.add(Reply.of(tool_call("task", {"description": "look", "prompt": "look around"}, id="t"), usage(1000, 10)))
    llm.add(Reply.of(text("looked"), usage(2000, 20)))  # the sub-agent
    llm.add(Reply.of(text("done"), usage(3000, 30)))
    await svc.chat(session.id, "go")
    llm.add(Reply.of(text("A summary."), usage(4000, 40)))
    await svc.compact(session.id)
    report = svc.cost_report(session.id)
    assert report.sessions == 2
    line = report.models["fake/m"]
    assert line.tokens.input == 10_000 and line.tokens.output == 100
    assert line.by_kind["input"] == Decimal("0.018")  # the three steps: 6,000 tokens at $3/M
    assert line.unsplit == Decimal("0.0126")  # the summary: 4,000 × $3/M + 40 × $15/M, one figure
    assert report.total.cost == line.cost == Decimal("0.018") + Decimal("0.0009") + Decimal("0.0126")
