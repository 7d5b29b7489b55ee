"""Identifiers: ascending ids sort in creation order, descending ids newest first, also under a burst."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

from agent_tui.core import ids

ID_SHAPE = re.compile(r"^[a-z]+_[0-9a-f]{16}[A-Za-z0-9]{14}$")


def test_shape_and_prefix() -> None:
    for make in (ids.ascending, ids.descending):
        value = make("msg")
        assert ID_SHAPE.match(value), value
        assert value.startswith("msg_")


def test_ascending_burst_sorts_in_creation_order_and_is_unique() -> None:
    # Far more than fit in one millisecond: the counter (and borrowing the next millisecond) must keep order.
    made = [ids.ascending("prt") for _ in range(20_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_descending_burst_sorts_newest_first() -> None:
    made = [ids.descending("ses") for _ in range(20_000)]
    assert made == sorted(made, reverse=True)
    assert len(set(made)) == len(made)


def test_more_than_4096_in_one_millisecond_keeps_order(monkeypatch) -> None:
    # A frozen clock is the worst case of a burst: every id falls in the same millisecond.
    frozen = time.time_ns()
    monkeypatch.setattr(ids.time, "time_ns", lambda: frozen)
    made = [ids.ascending("msg") for _ in range(10_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_clock_going_backwards_keeps_order(monkeypatch) -> None:
    first = ids.ascending("msg")
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_000_000_000)  # 1970: far in the past
    second = ids.ascending("msg")
    assert first < second


def test_ids_from_many_threads_are_unique_and_each_thread_sorted() -> None:
    per_thread: list[list[str]] = [[] for _ in range(8)]

    def make(out: list[str]) -> None:
        for _ in range(2_000):
            out.append(ids.ascending("prt"))

    threads = [threading.Thread(target=make, args=(out,)) for out in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for out in per_thread for i in out]
    assert len(set(everything)) == len(everything)
    for out in per_thread:
        assert out == sorted(out)


def test_timestamp_round_trip() -> None:
    before = time.time_ns() // 1_000_000
    up = ids.ascending("msg")
    down = ids.descending("ses")
    after = time.time_ns() // 1_000_000
    # A burst may borrow a few milliseconds ahead; never more than the ids made in this test run allow.
    assert before <= ids.timestamp_ms(up) <= after + 100
    assert before <= ids.timestamp_ms(down, descending_id=True) <= after + 100


def test_later_ids_sort_after_across_milliseconds() -> None:
    first_up, first_down = ids.ascending("msg"), ids.descending("ses")
    time.sleep(0.005)
    second_up, second_down = ids.ascending("msg"), ids.descending("ses")
    assert first_up < second_up
    assert first_down > second_down


def test_ids_from_separate_processes_made_later_sort_later(subprocess_env: dict[str, str]) -> None:
    # Each process has its own counter; order across processes comes from the clock alone.
    code = "from agent_tui.core import ids; print(ids.ascending('msg'))"
    first = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=subprocess_env
    ).stdout.strip()
    time.sleep(0.005)
    second = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=subprocess_env
    ).stdout.strip()
    assert ID_SHAPE.match(first) and ID_SHAPE.match(second)
    assert first < second
