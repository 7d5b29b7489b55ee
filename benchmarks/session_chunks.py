"""The engine's cost per chunk: replies through `SessionService.chat` (storage, bus, events), no UI.

Printed, client CPU only (the scripted server runs in its own process):
- one 3,000-chunk reply: CPU seconds, and the same reply read bare by `stream_completion` (the difference is the
  engine's own per-chunk work);
- 60 replies of 500 chunks in one session: CPU of replies #1–5 vs #51–55 (reply #51 must be no slower).
`--profile` prints the top of a cProfile of the 3,000-chunk reply (`--profile tottime` sorted by own time),
`--profile-late` one of the last small reply.

Run: python benchmarks/session_chunks.py [--chunks=N] [--profile [tottime]] [--profile-late]
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import statistics
import sys
import time

from scripted_service import scripted_service

BIG = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--chunks=")), 3_000))
SMALL = 500
REPLIES = 60


def _reply(chunks: int) -> dict:
    words = " ".join(f"word{i % 50}" for i in range(chunks))
    return {"steps": [{"text": words, "chunks": chunks}, {"usage": {"input": 500, "output": chunks}}]}


async def main(profile: bool) -> None:
    from agent_tui.core.events import PartUpdated
    from agent_tui.core.llm.litellm_loader import load_litellm
    from agent_tui.core.llm.stream import LLMRequest, stream_completion

    load_litellm()
    async with scripted_service([_reply(BIG)] * 4 + [_reply(1)] * 6 + [_reply(SMALL)] * REPLIES) as scripted:
        service, base = scripted.service, scripted.base_url
        seen = 0

        def count(event: PartUpdated) -> None:  # a subscriber, as the TUI's bridge is
            nonlocal seen
            seen += 1

        service.bus.subscribe(PartUpdated, count)
        request = LLMRequest(model="openai/m", provider="fake", api_base=base, api_key="sk-bench",
                             messages=[{"role": "user", "content": "go"}])

        async def bare() -> float:
            start = time.process_time()
            async for _ in stream_completion(request):
                pass
            return time.process_time() - start

        async def chat(session_id: str) -> float:
            start = time.process_time()
            reply = await service.chat(session_id, "go")
            assert reply.error is None, reply.error
            return time.process_time() - start

        await bare()  # warm-up
        bare_cpu = await bare()
        first = service.create(title="bench")
        await chat(first.id)  # warm-up
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        big_cpu = await chat(service.create(title="bench").id)
        if profiler:
            profiler.disable()
        # What a turn costs whatever its length (storage of the messages, the system prompt, the step's
        # request): measured with one-chunk replies, so the per-chunk figure is not inflated by it.
        fixed = statistics.median([await chat(service.create(title="bench").id) for _ in range(5)])
        per_chunk = (big_cpu - bare_cpu - fixed) / BIG
        print(f"one {BIG:,}-chunk reply: SessionService.chat {big_cpu:.3f} s CPU, bare stream {bare_cpu:.3f} s, "
              f"a one-chunk turn {fixed:.3f} s → engine {1e6 * per_chunk:.0f} µs a chunk")
        session = service.create(title="long")
        figures = [await chat(session.id) for _ in range(REPLIES - 1)]
        late_profiler = cProfile.Profile() if "--profile-late" in sys.argv else None
        if late_profiler:
            late_profiler.enable()
        figures.append(await chat(session.id))
        if late_profiler:
            late_profiler.disable()
            pstats.Stats(late_profiler).sort_stats("tottime").print_stats(25)
        early, late = figures[:5], figures[50:55]
        print(f"{SMALL}-chunk replies in one session: #1–5 median {statistics.median(early):.3f} s, "
              f"#51–55 median {statistics.median(late):.3f} s CPU")
    if profiler:
        order = sys.argv[-1] if sys.argv[-1] in ("tottime", "cumulative") else "cumulative"
        pstats.Stats(profiler).sort_stats(order).print_stats(35)


if __name__ == "__main__":
    asyncio.run(main("--profile" in sys.argv))
