"""Engine overhead: a 2,000-token scripted turn through `agent-tui run` next to a bare litellm loop.

Both sides stream the same reply from the scripted server over real HTTP. Printed:
- wall time of each as a fresh process (what a user of `agent-tui run` waits, litellm import included);
- in one warm process: the bare `litellm.acompletion` loop vs `SessionService.chat` (storage, bus, events),
  median of several runs, so the engine's own cost per turn shows without import noise.

Run: python benchmarks/engine_overhead.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, usage

TOKENS = 2_000
RUNS = 5


def reply() -> Reply:
    words = " ".join(f"word{i % 50}" for i in range(TOKENS))
    return Reply.of(text(words, chunks=TOKENS), usage(500, TOKENS))


BARE = """
import asyncio, os, sys, time
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import litellm
litellm.suppress_debug_info = True
async def main():
    stream = await litellm.acompletion(model="openai/m", api_base=sys.argv[1], api_key="sk-test", stream=True,
        stream_options={"include_usage": True}, messages=[{"role": "user", "content": "go"}])
    n = 0
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            n += 1
    print(n)
asyncio.run(main())
"""


def config(project: Path, base: str) -> None:
    (project / "agent-tui.json").write_text(json.dumps({
        "model": "fake/m", "small_model": "titles/m",
        "provider": {"fake": {"api": "openai", "base_url": base, "api_key": "sk-test", "models": {"m": {}}},
                     "titles": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "x",
                                "models": {"m": {}}}},
    }))


def subprocess_times(project: Path, home: Path) -> tuple[float, float]:
    env = {**os.environ, "AGENT_TUI_HOME": str(home)}
    with FakeLLMThread([reply(), reply()]) as srv:
        config(project, srv.openai_base)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BARE, srv.openai_base], check=True, capture_output=True, env=env)
        bare = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent_tui.cli", "run", "go"], cwd=project, check=True,
                       capture_output=True, env=env)
        agent = time.perf_counter() - start
    return bare, agent


async def in_process(project: Path) -> tuple[list[float], list[float]]:
    from agent_tui.core.llm.litellm_loader import load_litellm
    from agent_tui.core.session.service import SessionService
    from agent_tui.testing.fake_llm import FakeLLM

    litellm = load_litellm()
    bare_times, engine_times = [], []
    async with FakeLLM([reply() for _ in range(2 * RUNS + 2)]) as srv:
        config(project, srv.openai_base)
        service = SessionService.open(project)
        await service.chat(service.create(title="warm-up").id, "go")  # first call: litellm's one-time setup
        stream = await litellm.acompletion(model="openai/m", api_base=srv.openai_base, api_key="sk-test",
                                           stream=True, messages=[{"role": "user", "content": "go"}])
        async for _ in stream:
            pass
        for _ in range(RUNS):
            start = time.perf_counter()
            stream = await litellm.acompletion(model="openai/m", api_base=srv.openai_base, api_key="sk-test",
                                               stream=True, stream_options={"include_usage": True},
                                               messages=[{"role": "user", "content": "go"}])
            async for _ in stream:
                pass
            bare_times.append(time.perf_counter() - start)
            session = service.create(title="bench")
            start = time.perf_counter()
            await service.chat(session.id, "go")
            engine_times.append(time.perf_counter() - start)
        await service.shutdown()
    return bare_times, engine_times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        home = Path(tmp) / "home"
        os.environ["AGENT_TUI_HOME"] = str(home)
        bare, agent = subprocess_times(project, home)
        print(f"{TOKENS}-token scripted turn, fresh process (import included):")
        print(f"  bare litellm loop     {bare:6.2f} s")
        print(f"  agent-tui run         {agent:6.2f} s   (+{agent - bare:.2f} s)")
        bare_times, engine_times = asyncio.run(in_process(project))
        b, e = statistics.median(bare_times), statistics.median(engine_times)
        print(f"same turn in a warm process, median of {RUNS}:")
        print(f"  bare litellm loop     {b * 1000:6.0f} ms")
        print(f"  SessionService.chat   {e * 1000:6.0f} ms   (+{(e - b) * 1000:.0f} ms: storage, bus, events)")


if __name__ == "__main__":
    main()
