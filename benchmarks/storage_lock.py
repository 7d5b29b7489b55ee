"""How long the UI's event loop stalls while another process holds a lock on the database.

A turn is sent (real SessionService, scripted model on 127.0.0.1) while a second process holds `BEGIN EXCLUSIVE`
for `--hold` seconds; a ticker on the same loop records the longest gap between its 10 ms ticks, which is how
long a keystroke would have waited. Prints the figure; asserts nothing.

    python benchmarks/storage_lock.py [--hold 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing.fake_llm import FakeLLM, Reply, text

HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


async def measure(hold: float) -> tuple[float, float]:
    root = Path(tempfile.mkdtemp(prefix="storage-lock-bench-"))
    (root / "project").mkdir()
    async with FakeLLM([Reply.of(text("first")), Reply.of(text("second, while locked"))]) as srv:
        provider = {"api": "openai", "base_url": srv.openai_base, "api_key": "sk-test", "models": {"m": {}}}
        service = SessionService(project=Project.discover(root / "project"),
                                 config=Config.model_validate({"model": "fake/m", "provider": {"fake": provider}}),
                                 storage=Storage(root / "agent-tui.db"), bus=Bus())
        session = service.create(title="bench")
        await service.chat(session.id, "first")
        holder = await asyncio.create_subprocess_exec(sys.executable, "-c", HOLDER, str(root / "agent-tui.db"),
                                                      str(hold), stdout=asyncio.subprocess.PIPE)
        assert holder.stdout is not None and (await holder.stdout.readline()).strip() == b"locked"
        worst = 0.0
        stop = False

        async def tick() -> None:
            nonlocal worst
            last = time.monotonic()
            while not stop:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                worst = max(worst, now - last - 0.01)
                last = now

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.05)  # the ticker runs before the turn starts
        sent = time.monotonic()
        await service.chat(session.id, "second")
        turn = time.monotonic() - sent
        stop = True
        await ticker
        await holder.wait()
        await service.shutdown()
        service.storage.close()
    return worst, turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=3.0, help="seconds the other process holds the lock")
    args = parser.parse_args()
    worst, turn = asyncio.run(measure(args.hold))
    print(f"lock held {args.hold:.1f} s: longest event-loop stall {worst * 1000:.0f} ms; turn took {turn:.2f} s")


if __name__ == "__main__":
    main()
