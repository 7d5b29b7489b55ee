"""Cost of a step in US dollars, exact in Decimal: tokens × per-token prices, every bucket counted once."""

from __future__ import annotations

from decimal import Decimal

from agent_tui.core.llm.catalog import ModelInfo
from agent_tui.core.models import TokenUsage


def step_cost(tokens: TokenUsage, model: ModelInfo) -> Decimal:
    reasoning_price = model.cost_reasoning if model.cost_reasoning is not None else model.cost_output
    return (
        tokens.input * model.cost_input
        + tokens.output * model.cost_output
        + tokens.reasoning * reasoning_price
        + tokens.cache_read * model.cost_cache_read
        + tokens.cache_write * model.cost_cache_write
    )
