"""Memory of a long paste: does a 100,000-line paste stay in memory after it was sent?

Run: /work/venv/bin/python benchmarks/long_paste.py [--lines 100000] [--no-trace]

Headless (`App.run_test`, 120×40), against the scripted LLM server run as a subprocess (so its copy of the
request is not counted), with a real SQLite database in a temporary folder. One message is sent first so
litellm and the transcript are loaded; then the figures are taken:

- before the paste, after the paste (the prompt holds it), after the send and the reply (then `gc.collect()`);
- RSS (from /proc/self/status) and, unless `--no-trace`, the Python heap traced by tracemalloc from the
  baseline on, with the biggest allocation sites still alive after the send (they name who holds the text);
- RSS once more after glibc's `malloc_trim(0)`: what is still above the baseline then is really held;
- the CPU time of this process for the paste and for the send (the pauses included: the app is idle in them).

Issue 10 reported 72 MB → 665 MB that stayed after a 100,000-line paste.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.tui.app import AgentApp
from agent_tui.tui.state import PromptHistory

SIZE = (120, 40)
MODEL = {"limit": {"context": 10_000_000, "output": 4_000}}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim: what RSS is once freed C heap goes back to the system (a diagnostic: what is left
    above the baseline after it is held by something; what it gives back was free memory glibc kept)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def pasted_text(lines: int) -> str:
    return "\n".join(f"{n:06d} 2026-12-01T22:40:{n % 60:02d} INFO worker[{n % 7}] handled request /api/v1/items"
                     for n in range(1, lines + 1))


def start_server(folder: Path) -> tuple[subprocess.Popen[str], str]:
    script = folder / "script.json"
    script.write_text(json.dumps([[{"text": f"Reply {n}."}] for n in range(8)]))
    server = subprocess.Popen([sys.executable, "-m", "agent_tui.testing.fake_llm", "--script", str(script)],
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def make_app(folder: Path, base_url: str) -> AgentApp:
    project = folder / "project"
    project.mkdir()
    fake = {"api": "openai", "base_url": f"{base_url}/v1", "api_key": "sk-test", "models": {"m": MODEL}}
    config = Config.model_validate({"model": "fake/m", "small_model": "fake/m", "provider": {"fake": fake}})
    service = SessionService(project=Project.discover(project), config=config,
                             storage=Storage(folder / "db" / "agent-tui.db"), bus=Bus())
    return AgentApp(service, history=PromptHistory(path=folder / "history.json"), warm_up=False)


async def wait(pilot: Any, condition: Callable[[], bool], what: str, tries: int = 6000) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def settled() -> None:
    for _ in range(3):
        gc.collect()


def traced_mb() -> float:
    return tracemalloc.get_traced_memory()[0] / 2**20 if tracemalloc.is_tracing() else 0.0


async def measure(lines: int, trace: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="long-paste-") as tmp:
        folder = Path(tmp)
        server, base_url = start_server(folder)
        try:
            app = make_app(folder, base_url)
            async with app.run_test(size=SIZE) as pilot:
                service = app.service

                def replies() -> int:
                    sid = app.main.session_id
                    if sid is None or service.is_busy(sid):
                        return 0
                    return sum(m.info.role == "assistant" and m.info.time.completed is not None
                               for m in service.messages(sid))

                await pilot.press(*"hello")
                await pilot.press("enter")
                await wait(pilot, lambda: replies() == 1, "the first reply")
                await pilot.pause(0.5)  # the title job
                settled()
                if trace:
                    tracemalloc.start(8)
                rows = [("before paste", rss_mb(), traced_mb(), 0.0)]
                started = time.process_time()

                text = pasted_text(lines)
                app.post_message(events.Paste(text))
                del text
                await pilot.pause(0.5)
                settled()
                rows.append(("after paste", rss_mb(), traced_mb(), time.process_time() - started))
                started = time.process_time()

                await pilot.press("enter")
                await wait(pilot, lambda: replies() == 2, "the reply to the paste")
                await pilot.pause(1.0)
                settled()
                rows.append(("after send", rss_mb(), traced_mb(), time.process_time() - started))
                if trim := malloc_trim():
                    trim(0)
                    rows.append(("malloc_trim", rss_mb(), traced_mb(), 0.0))
                snapshot = tracemalloc.take_snapshot() if trace else None
                if trace:
                    tracemalloc.stop()
                stored = max((len(p.text) for m in service.messages(app.main.session_id or "")
                              for p in m.parts if getattr(p, "text", None)), default=0)
        finally:
            server.terminate()
            server.wait()
    print(f"paste of {lines:,} lines; the longest stored text part has {stored:,} characters")
    print(f"{'':14}{'RSS MB':>9}{'traced MB':>11}{'CPU s':>8}")
    for name, rss, traced, cpu in rows:
        print(f"{name:14}{rss:9.1f}{traced:11.1f}{cpu:8.2f}")
    if snapshot is not None:
        print("largest allocation sites alive after the send (traced since before the paste):")
        for stat in snapshot.statistics("traceback")[:8]:
            frames = [f for f in stat.traceback if "agent_tui" in f.filename] or list(stat.traceback)
            where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"  # the innermost of ours
            print(f"  {stat.size / 2**20:8.1f} MB  {stat.count:>8} blocks  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--no-trace", action="store_true", help="RSS only (tracemalloc slows the paste down)")
    args = parser.parse_args()
    asyncio.run(measure(args.lines, trace=not args.no_trace))


if __name__ == "__main__":
    main()
