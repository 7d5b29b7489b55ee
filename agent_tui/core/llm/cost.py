"""Cost of a step in US dollars, exact in Decimal.

Which figure is recorded: prices set in the config (`provider.*.models.*.cost`) win; otherwise what the provider
reported it billed (OpenRouter's `usage.cost`); otherwise tokens × litellm's price map. The split by kind of
token is kept when the figure comes from prices; a provider's figure is one total, so it is kept whole.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.llm.catalog import ModelInfo
from agent_tui.core.models import TokenUsage

CostSource = Literal["config", "provider", "price map", "unpriced"]
KINDS = ("input", "output", "reasoning", "cache_read", "cache_write")


class StepCost(DeferredModel):
    total: Decimal = Decimal(0)
    source: CostSource = "unpriced"
    by_kind: dict[str, Decimal] = Field(default_factory=dict)  # empty for a provider's single figure


def cost_by_kind(tokens: TokenUsage, model: ModelInfo) -> dict[str, Decimal]:
    reasoning_price = model.cost_reasoning if model.cost_reasoning is not None else model.cost_output
    prices = {"input": model.cost_input, "output": model.cost_output, "reasoning": reasoning_price,
              "cache_read": model.cost_cache_read, "cache_write": model.cost_cache_write}
    return {kind: getattr(tokens, kind) * prices[kind] for kind in KINDS if getattr(tokens, kind)}


def price_step(tokens: TokenUsage, model: ModelInfo, reported: Decimal | None = None) -> StepCost:
    by_kind = cost_by_kind(tokens, model)
    priced = any(by_kind.values())
    if model.cost_from_config:
        return StepCost(total=sum(by_kind.values(), Decimal(0)), source="config", by_kind=by_kind)
    if reported is not None:
        return StepCost(total=reported, source="provider")
    if priced:
        return StepCost(total=sum(by_kind.values(), Decimal(0)), source="price map", by_kind=by_kind)
    return StepCost()


def step_cost(tokens: TokenUsage, model: ModelInfo) -> Decimal:
    """Tokens × prices (config or price map), every bucket counted once."""
    return sum(cost_by_kind(tokens, model).values(), Decimal(0))
