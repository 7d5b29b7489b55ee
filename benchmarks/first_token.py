"""Prompt → first token when the prompt is sent while litellm is still loading, and what the gap is made of.

    python benchmarks/first_token.py                # median of 3 fresh processes per case
    python benchmarks/first_token.py --runs 5

Each run is a fresh interpreter that does what the TUI does at its first frame (`warm_up_in_background()`) and,
in the same instant, sends a prompt through the real `SessionService.chat` to the scripted server on
127.0.0.1 (case "at start"); or sends it only after the warm-up has finished ("warmed": the cost of a call
alone). Printed per case: wall and process CPU from the send to litellm's import being done and to the first
text delta, and the difference: what the first token costs beyond the import. CPU is the figure to compare on
a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import asyncio, json, sys, tempfile, threading, time
from pathlib import Path
from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.events import PartDelta
from agent_tui.core.llm import litellm_loader
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing import FakeLLMThread, text

case = sys.argv[1]
root = Path(tempfile.mkdtemp())
marks = {}

def mark(name):
    marks.setdefault(name, (time.perf_counter(), time.process_time()))

def watch_import():
    while not litellm_loader.is_loaded():
        time.sleep(0.002)
    mark("imported")

async def main():
    with FakeLLMThread([[text("hello there")], [text("a title")]]) as srv:
        config = Config.model_validate({"model": "oa/m", "small_model": "oa/m", "provider": {"oa": {
            "api": "openai", "base_url": srv.openai_base, "api_key": "sk-test",
            "models": {"m": {"limit": {"context": 100000, "output": 4000}}}}}})
        bus = Bus()
        svc = SessionService(project=Project.discover(root), config=config, storage=Storage(root / "db"), bus=bus)
        session = svc.create(title="t")
        if "no title" in case:  # attribution only: what the title job's concurrent first call costs
            async def no_title(*args):
                return None
            svc._title = no_title
        got = asyncio.Event()
        def on_part(event):
            mark("first_token")
            got.set()
        bus.subscribe(PartDelta, on_part)
        if case == "warmed":
            litellm_loader.warm_up_in_background().join()
        else:
            threading.Thread(target=watch_import, daemon=True).start()
        mark("sent")
        if case.startswith("at start"):
            litellm_loader.warm_up_in_background()
        elif case.startswith("import only"):
            threading.Thread(target=litellm_loader.load_litellm, daemon=True).start()
        task = asyncio.create_task(svc.chat(session.id, "hi"))
        await asyncio.wait_for(got.wait(), 120)
        await task
        await svc.shutdown()
    print(json.dumps(marks))

asyncio.run(main())
"""


def run(case: str) -> dict[str, tuple[float, float]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD, case], env=env, capture_output=True, text=True, check=True,
                         timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="at start,warmed")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.runs}; wall / CPU of the process, seconds")
    for case in args.cases.split(","):
        rows: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.runs):
            marks = run(case)
            sent = marks["sent"]
            for name in ("imported", "first_token"):
                if name in marks:
                    rows.setdefault(name, []).append((marks[name][0] - sent[0], marks[name][1] - sent[1]))
            if "imported" in marks:
                rows.setdefault("beyond the import", []).append(
                    (marks["first_token"][0] - marks["imported"][0], marks["first_token"][1] - marks["imported"][1]))
        print(f"\n{case}:")
        for name, values in rows.items():
            wall = statistics.median(v[0] for v in values)
            cpu = statistics.median(v[1] for v in values)
            print(f"  send → {name:18} {wall:6.3f} / {cpu:6.3f}   (CPU {min(v[1] for v in values):.3f}–"
                  f"{max(v[1] for v in values):.3f})")


if __name__ == "__main__":
    main()
