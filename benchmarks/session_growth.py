"""Does a reply cost more late in a long session? Reply #1 vs reply #51 through `SessionService.chat`, no UI.

60 replies of 500 chunks in one session against the scripted server (real HTTP, its own process); client CPU
only (`time.process_time()`), so the figures hold on a loaded machine better than wall time. Printed per reply
bucket (medians): the whole reply, and what the engine does around the stream:
- history: reading the session's stored history to build the step's request (`Storage.history`, or
  `Storage.list_messages` in versions before the history cache);
- request: turning that history into the provider's messages (`to_llm_messages`);
- writes: storage writes per reply (count and ms); events: bus events published per reply;
- full GC: the garbage collector's full passes per reply (mean count and CPU; they walk every tracked
  object, so their cost grows with everything the process keeps, the parsed history included);
- litellm: from `acompletion()` called to its stream returned (litellm's own per-call work: request
  transformation, its copies of the messages, the JSON body), which grows with the request as it must.

Run: PYTHONPATH=. python benchmarks/session_growth.py [--replies=N]
"""

from __future__ import annotations

import asyncio
import collections
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from scripted_service import scripted_service

REPLIES = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--replies=")), 60))
CHUNKS = 500
_cpu: collections.Counter[str] = collections.Counter()
_calls: collections.Counter[str] = collections.Counter()


def _reply(chunks: int) -> dict:
    words = " ".join(f"word{i % 50}" for i in range(chunks))
    return {"steps": [{"text": words, "chunks": chunks}, {"usage": {"input": 500, "output": chunks}}]}


def _timed(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            _cpu[label] += time.process_time() - start
            _calls[label] += 1

    setattr(owner, name, wrapper)


def _timed_async(owner: Any, name: str, label: str) -> None:
    original = getattr(owner, name)

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return await original(*args, **kwargs)
        finally:
            _cpu[label] += time.process_time() - start

    setattr(owner, name, wrapper)


def _gc_timer(phase: str, info: dict[str, int]) -> None:
    """Time spent in the garbage collector's full (generation 2) passes: they walk every tracked object."""
    if info["generation"] != 2:
        return
    if phase == "start":
        _cpu["gc_start"] = time.process_time()
    else:
        _cpu["gc2"] += time.process_time() - _cpu.pop("gc_start", time.process_time())
        _calls["gc2"] += 1


def _instrument() -> None:
    import gc

    gc.callbacks.append(_gc_timer)
    from agent_tui.core import bus, storage
    from agent_tui.core.llm.litellm_loader import load_litellm
    from agent_tui.core.session import loop

    _timed(storage.Storage, "history" if hasattr(storage.Storage, "history") else "list_messages", "history")
    _timed(loop, "to_llm_messages", "request")
    for name in ("put_part", "put_message", "put_session"):
        _timed(storage.Storage, name, "writes")
    _timed(bus.Bus, "publish", "events")
    _timed_async(load_litellm(), "acompletion", "litellm")


async def main() -> None:
    _instrument()
    async with scripted_service([_reply(CHUNKS)] * (REPLIES + 2)) as scripted:
        service = scripted.service
        warm = service.create(title="warm-up")
        await service.chat(warm.id, "go")
        session = service.create(title="long")
        rows: list[dict[str, float]] = []
        for _ in range(REPLIES):
            _cpu.clear()
            _calls.clear()
            start = time.process_time()
            reply = await service.chat(session.id, "go")
            assert reply.error is None, reply.error
            rows.append({"total": time.process_time() - start, **_cpu, "n_writes": _calls["writes"],
                         "n_events": _calls["events"], "n_gc2": _calls["gc2"]})
    _print(rows)


def _print(rows: list[dict[str, float]]) -> None:
    def med(bucket: list[dict[str, float]], key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in bucket)

    def mean(bucket: list[dict[str, float]], key: str) -> float:  # full collections fall in a few replies
        return statistics.fmean(r.get(key, 0.0) for r in bucket)

    print(f"{REPLIES} replies of {CHUNKS} chunks in one session; client CPU, medians (ms)")
    print(f"{'replies':>9} {'reply':>7} {'history':>8} {'request':>8} {'litellm':>8} {'writes':>13} {'events':>6}"
          f" {'full GC (mean)':>15}")
    buckets = [(1, 1), (1, 5)] + [(b, min(b + 4, REPLIES)) for b in range(11, REPLIES + 1, 10)]
    if REPLIES >= 51:
        buckets.append((51, 51))
    for first, last in buckets:
        bucket = rows[first - 1:last]
        label = f"#{first}" if first == last else f"#{first}–{last}"
        print(f"{label:>9} {1e3 * med(bucket, 'total'):7.1f} {1e3 * med(bucket, 'history'):8.2f} "
              f"{1e3 * med(bucket, 'request'):8.2f} {1e3 * med(bucket, 'litellm'):8.2f} "
              f"{med(bucket, 'n_writes'):4.0f} {1e3 * med(bucket, 'writes'):5.2f} ms {med(bucket, 'n_events'):6.0f}"
              f" {mean(bucket, 'n_gc2'):4.1f} {1e3 * mean(bucket, 'gc2'):6.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
