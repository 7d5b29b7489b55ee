"""`token_counting()` switches litellm's one global token-counter flag from worker threads: two counts at once
must both count (the first to finish used to switch the counter off under the second, which then counted 0)."""

from __future__ import annotations

import threading

from agent_tui.core.llm.litellm_loader import load_litellm, token_counting
from agent_tui.core.llm.stream import LLMRequest
from agent_tui.core.llm.token_count import count_usage


def test_a_count_still_running_keeps_the_counter_on_when_another_finishes() -> None:
    litellm = load_litellm()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    counted: dict[str, int] = {}

    def first() -> None:
        with token_counting():
            first_in.set()
            second_in.wait(30)
        first_out.set()

    def second() -> None:
        first_in.wait(30)
        with token_counting() as counting:
            second_in.set()
            first_out.wait(30)  # the other count has finished: this one must still count
            counted["tokens"] = int(counting.token_counter(model="gpt-4o", text="hello there, world"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert counted["tokens"] > 0
    assert litellm.disable_token_counter is True  # off again once nobody counts


def test_concurrent_usage_estimates_are_all_counted() -> None:
    litellm = load_litellm()
    req = LLMRequest(model="gpt-4o", provider="openai", messages=[{"role": "user", "content": "count these words"}])
    barrier = threading.Barrier(4)
    results: list[object] = []

    def estimate() -> None:
        barrier.wait(30)
        for _ in range(20):
            results.append(count_usage(litellm, req, "some output text"))

    threads = [threading.Thread(target=estimate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 80
    assert all(u is not None and u.input_tokens > 0 and u.output_tokens > 0 for u in results)  # type: ignore[union-attr]
    assert litellm.disable_token_counter is True
