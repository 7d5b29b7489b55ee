"""What a session cost, by model and by kind of token (`/cost`), read from the stored steps.

Sub-agent sessions started by the `task` tool count towards their parent. A step priced by the provider (or a
summary, or a step stored before the split was recorded) has one figure and no split: it is listed as "not split"
rather than spread over kinds by guesswork.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.llm.cost import KINDS
from agent_tui.core.models import AssistantMessage, StepFinishPart, TokenUsage
from agent_tui.core.storage import Storage


class CostLine(DeferredModel):
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    cost: Decimal = Decimal(0)
    by_kind: dict[str, Decimal] = Field(default_factory=lambda: {kind: Decimal(0) for kind in KINDS})
    unsplit: Decimal = Decimal(0)  # figures that came as one total (a provider's, a summary's)
    sources: list[str] = Field(default_factory=list)  # where the figures came from: config, provider, price map

    def add(self, tokens: TokenUsage, cost: Decimal, by_kind: dict[str, Decimal], source: str | None) -> None:
        self.tokens = self.tokens + tokens
        self.cost += cost
        if by_kind:
            for kind, amount in by_kind.items():
                self.by_kind[kind] = self.by_kind.get(kind, Decimal(0)) + amount
            self.unsplit += cost - sum(by_kind.values(), Decimal(0))
        else:
            self.unsplit += cost
        if source and source not in self.sources:
            self.sources.append(source)


class CostReport(DeferredModel):
    total: CostLine = Field(default_factory=CostLine)
    models: dict[str, CostLine] = Field(default_factory=dict)  # "provider/model" → its line
    sessions: int = 0  # the session and its sub-agent sessions


def _session_tree(storage: Storage, session_id: str) -> list[str]:
    found, pending = [], [session_id]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(child.id for child in storage.children(current))
    return found


def cost_report(storage: Storage, session_id: str) -> CostReport:
    report = CostReport()
    for sid in _session_tree(storage, session_id):
        report.sessions += 1
        for message in storage.list_messages(sid):
            info = message.info
            if not isinstance(info, AssistantMessage):
                continue
            line = report.models.setdefault(f"{info.provider}/{info.model}", CostLine())
            steps = [p for p in message.parts if isinstance(p, StepFinishPart)]
            entries = [(s.tokens, s.cost, s.cost_by_kind, s.cost_source) for s in steps]
            if not steps:  # a summary: tokens and cost on the message only
                entries = [(info.tokens, info.cost, {}, "price map" if info.cost else None)]
            for tokens, cost, by_kind, source in entries:
                line.add(tokens, cost, by_kind, source)
                report.total.add(tokens, cost, by_kind, source)
    report.models = {name: line for name, line in report.models.items() if line.cost or line.tokens.total}
    return report
