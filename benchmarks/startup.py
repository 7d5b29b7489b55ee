"""Start-up: how long until agent-tui shows its first frame, and what it has imported by then.

Printed, median of several fresh processes each:
- `agent-tui --version` (the CLI's own import cost);
- time from process start to the app's first frame (headless `run_test`, 120×40), its CPU time, the number of
  modules loaded and peak RSS then;
- how long litellm then takes to load in the background (off the first frame's path).

Run: python benchmarks/startup.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5

PROBE = r"""
import time
START = time.perf_counter()
import asyncio, json, resource, sys
from pathlib import Path
from agent_tui import startup_gc
startup_gc.pause()  # as `agent-tui` does until the first frame
from agent_tui.core.session.service import SessionService
from agent_tui.tui.app import AgentApp

async def main():
    service = SessionService.open(Path(sys.argv[1]))
    app = AgentApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.heavy_modules_at_first_frame is None:
            await pilot.pause(0.005)
        first = time.perf_counter() - START
        cpu = time.process_time()  # the whole process: interpreter start, imports, config, database, first frame
        modules = len(sys.modules)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        heavy = list(app.heavy_modules_at_first_frame)
        while "litellm" not in sys.modules or not getattr(sys.modules["litellm"], "suppress_debug_info", False):
            await pilot.pause(0.05)
        litellm_ready = time.perf_counter() - START
    print(json.dumps({"first_frame": first, "cpu": cpu, "modules": modules, "rss_mb": rss, "heavy": heavy,
                      "litellm_ready": litellm_ready}))

asyncio.run(main())
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "agent-tui.json").write_text(json.dumps({
            "model": "local/m",
            "provider": {"local": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "models": {"m": {}}}},
        }))
        env = {**os.environ, "AGENT_TUI_HOME": str(Path(tmp) / "home")}
        versions = []
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "agent_tui.cli", "--version"], check=True, capture_output=True,
                           env=env)
            versions.append(time.perf_counter() - start)
        reports = []
        for _ in range(RUNS):
            out = subprocess.run([sys.executable, "-c", PROBE, str(project)], check=True, capture_output=True,
                                 text=True, env=env).stdout
            reports.append(json.loads(out.strip().splitlines()[-1]))
    print(f"median of {RUNS} fresh processes:")
    print(f"  agent-tui --version                 {statistics.median(versions) * 1000:6.0f} ms")
    print(f"  process start to first frame        {statistics.median(r['first_frame'] for r in reports) * 1000:6.0f} ms"
          f"   (peak RSS {statistics.median(r['rss_mb'] for r in reports):.0f} MB)")
    print(f"  CPU to the first frame              {statistics.median(r['cpu'] for r in reports) * 1000:6.0f} ms"
          f"   ({statistics.median(r['modules'] for r in reports):.0f} modules loaded)")
    print(f"  heavy modules loaded at first frame {sorted({m for r in reports for m in r['heavy']}) or 'none'}")
    print(f"  litellm loaded in the background by {statistics.median(r['litellm_ready'] for r in reports):6.1f} s")


if __name__ == "__main__":
    main()
