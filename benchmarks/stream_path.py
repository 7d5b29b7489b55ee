"""CPU of one 3,000-chunk reply through `stream_completion`: the fast path (litellm's chunk parser) vs the wrapper.

The scripted server runs in a process of its own, so the figure is the client's CPU only (`time.process_time`),
median of RUNS replies after one warm-up, for `openai/`, `hosted_vllm/` and `anthropic/` models.

Run: python benchmarks/stream_path.py
To measure another checkout (e.g. main before the fast path):  PYTHONPATH=/path/to/checkout python benchmarks/…
(an older `stream_completion` without a `path` parameter is measured once, as "default").
"""

from __future__ import annotations

import asyncio
import inspect
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNKS = 3_000
RUNS = 5
MODELS = ("openai/bench", "hosted_vllm/bench", "anthropic/bench")


def _script(path: Path, replies: int) -> None:
    words = " ".join(f"word{i % 50}" for i in range(CHUNKS))
    reply = {"steps": [{"text": words, "chunks": CHUNKS}, {"usage": {"input": 500, "output": CHUNKS}}]}
    path.write_text(json.dumps([reply] * replies))


async def _one(stream_completion, request, path: str | None) -> tuple[float, int]:
    kwargs = {} if path is None else {"path": path}
    start = time.process_time()
    deltas = 0
    async for event in stream_completion(request, **kwargs):
        if event.type == "text":
            deltas += 1
    return time.process_time() - start, deltas


async def main() -> None:
    from agent_tui.core.llm.litellm_loader import load_litellm
    from agent_tui.core.llm.stream import LLMRequest, stream_completion

    load_litellm()
    has_paths = "path" in inspect.signature(stream_completion).parameters
    paths: list[str | None] = ["auto", "wrapper"] if has_paths else [None]
    replies = len(MODELS) * len(paths) * (RUNS + 1)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "script.json"
        _script(script, replies)
        server = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
            [sys.executable, "-m", "agent_tui.testing.fake_llm", "--script", str(script)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            base = server.stdout.readline().strip()
            print(f"{CHUNKS:,} chunks a reply, client CPU seconds, median of {RUNS} (min–max)")
            for model in MODELS:
                api_base = base if model.startswith("anthropic/") else f"{base}/v1"
                request = LLMRequest(
                    model=model, provider="bench", api_base=api_base, api_key="sk-bench",
                    messages=[{"role": "user", "content": "go"}],
                )
                for path in paths:
                    await _one(stream_completion, request, path)  # warm-up: first-call setup, tokenizer loads
                    figures = []
                    for _ in range(RUNS):
                        cpu, deltas = await _one(stream_completion, request, path)
                        assert deltas == CHUNKS, deltas
                        figures.append(cpu)
                    print(
                        f"  {model:<20} {path or 'default':<8} {statistics.median(figures):.3f} s "
                        f"({min(figures):.3f}–{max(figures):.3f})"
                    )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
