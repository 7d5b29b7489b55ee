"""`agent-tui acp` from an editor's point of view: start-up and streaming, driven by the SDK's client side.

Printed, for a fresh `agent-tui acp` process against the scripted server over real HTTP:
- spawn -> `initialize` answered, -> `session/new` answered;
- the first prompt (litellm warming in the background since `initialize`): time to its first chunk and to its end;
- warm prompts streaming a 2,000-chunk reply, median of several: time to the end and chunks a second reaching the
  client as `agent_message_chunk` notifications (one JSON-RPC line each).

Run: python benchmarks/acp_stream.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from acp import PROTOCOL_VERSION, spawn_agent_process, text_block

from agent_tui.testing.fake_llm import FakeLLM, Reply, text, usage

ROOT = Path(__file__).resolve().parent.parent
CHUNKS = 2_000
RUNS = 5


class Client:
    def __init__(self) -> None:
        self.chunks = 0
        self.first: float | None = None

    async def session_update(self, session_id: str, update, **_) -> None:  # type: ignore[no-untyped-def]
        if update.session_update == "agent_message_chunk":
            self.chunks += 1
            if self.first is None:
                self.first = time.perf_counter()


def long_reply() -> Reply:
    return Reply.of(text(" ".join(f"word{i % 50}" for i in range(CHUNKS)), chunks=CHUNKS), usage(500, CHUNKS))


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project, home = Path(tmp) / "proj", Path(tmp) / "home"
        project.mkdir()
        async with FakeLLM([]) as llm:
            config = {"model": "fake/m", "small_model": "fake/m",
                      "provider": {"fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test",
                                            "models": {"m": {}}}}}
            (project / "agent-tui.json").write_text(json.dumps(config))
            env = {"AGENT_TUI_HOME": str(home), "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONPATH": str(ROOT)}
            client = Client()
            started = time.perf_counter()
            async with spawn_agent_process(client, sys.executable, "-m", "agent_tui.cli", "acp", cwd=project,
                                           env=env) as (conn, _):
                await conn.initialize(protocol_version=PROTOCOL_VERSION)
                initialized = time.perf_counter()
                session = (await conn.new_session(cwd=str(project))).session_id
                created = time.perf_counter()
                llm.add(Reply.of(text("hello there", chunks=2)))
                llm.add(Reply.of(text("A title")))  # the title request of the first turn
                sent = time.perf_counter()
                await conn.prompt(session_id=session, prompt=[text_block("hi")])
                first_done = time.perf_counter()
                first_chunk = (client.first or first_done) - sent
                totals: list[float] = []
                for _ in range(RUNS):
                    client.chunks, client.first = 0, None
                    llm.add(long_reply())
                    begun = time.perf_counter()
                    await conn.prompt(session_id=session, prompt=[text_block("more")])
                    totals.append(time.perf_counter() - begun)
                    assert client.chunks >= CHUNKS * 0.9, client.chunks
    median = statistics.median(totals)
    print(f"spawn -> initialize answered     {initialized - started:6.2f} s")
    print(f"spawn -> session/new answered    {created - started:6.2f} s")
    print(f"first prompt: first chunk after  {first_chunk:6.2f} s, done after {first_done - sent:.2f} s")
    print(f"{CHUNKS}-chunk reply, warm, median of {RUNS}: {median:.2f} s ({CHUNKS / median:,.0f} chunks/s); "
          f"runs {', '.join(f'{t:.2f}' for t in totals)}")


if __name__ == "__main__":
    asyncio.run(main())
