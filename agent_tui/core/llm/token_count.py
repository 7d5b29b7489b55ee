"""Usage for a reply whose provider reported none: counted with litellm's token counter, marked as estimated.

Only then: the counter loads a tokenizer (tiktoken, ~120 MB; a Hugging Face one for some models) that a
provider reporting its usage never needs. Runs in a thread (the first count takes most of a second).
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import TYPE_CHECKING

from agent_tui.core.llm.events import Usage
from agent_tui.core.llm.litellm_loader import token_counting

if TYPE_CHECKING:
    from agent_tui.core.llm.stream import LLMRequest

log = logging.getLogger("agent_tui.llm")


def count_usage(litellm: ModuleType, req: LLMRequest, output: str, reasoning: str = "") -> Usage | None:
    """Input, output and reasoning tokens of one call, or None when the counter fails (the usage stays
    unknown: no Usage event, so nothing is stored as zero)."""

    def count(text: str) -> int:
        return int(litellm.token_counter(model=req.model, text=text, count_response_tokens=True)) if text else 0

    try:
        with token_counting():  # litellm_loader keeps the counter off everywhere else
            prompt = int(litellm.token_counter(model=req.model, messages=req.messages))
            completion, thinking = count(output), count(reasoning)
    except Exception:  # an estimate is a convenience: never fail a finished reply over it
        log.warning("could not count the tokens of a reply from %s", req.model, exc_info=True)
        return None
    return Usage(input_tokens=prompt, output_tokens=completion, reasoning_tokens=thinking, estimated=True)
