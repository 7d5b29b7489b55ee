"""What the TUI's event loop was doing when a keystroke would have waited, while litellm loads.

    python3 benchmarks/ui_stalls.py --venv .bench/venv      # the venv `terminal.py` installs this checkout into
    python3 benchmarks/ui_stalls.py --venv .bench/venv --threshold 15 --seconds 12

Launches the installed `agent-tui` in a tmux pane as `terminal.py` does, types a letter every 100 ms while it
loads, and traces from inside the process (a `sitecustomize` on PYTHONPATH, benchmark-only):

* every event-loop callback that took longer than `--threshold` ms of wall time, with the thread CPU it spent
  itself: a callback with little CPU of its own was waiting for the interpreter lock (or the machine);
* for each such stall, the stacks of the other Python threads, sampled by a watchdog thread while the loop was
  stuck, so the holder of the lock can be named.

Printed: the stalls by length, what ran in the loop, and what the other threads were doing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from terminal_echo import ControlClient, EchoLine, echo_cell  # noqa: E402
from terminal_probe import Terminal  # noqa: E402
from terminal_server import BenchServer  # noqa: E402

TRACER = r'''
import asyncio.events, json, os, sys, threading, time, traceback

_log = open(os.environ["STALL_LOG"], "a", buffering=1)
_limit = float(os.environ.get("STALL_MS", "20")) / 1000
_state = {"start": None, "sampled": []}
_main = threading.main_thread()
_original_run = asyncio.events.Handle._run


def _describe(handle):
    cb = getattr(handle, "_callback", None)
    owner = getattr(cb, "__self__", None)
    coro = getattr(owner, "get_coro", lambda: None)()
    if coro is not None:
        return f"task {getattr(coro, '__qualname__', coro)}"
    return repr(cb)[:160]


def _run(self):
    if threading.current_thread() is not _main:
        return _original_run(self)
    wall, cpu = time.perf_counter(), time.thread_time()
    _state["start"], _state["sampled"] = wall, []
    try:
        return _original_run(self)
    finally:
        spent = time.perf_counter() - wall
        _state["start"] = None
        if spent >= _limit:
            _log.write(json.dumps({"at": wall, "ms": spent * 1000, "cpu_ms": (time.thread_time() - cpu) * 1000,
                                   "what": _describe(self), "others": _state["sampled"]}) + "\n")


def _watch():
    loaded = False
    while True:
        time.sleep(_limit / 2)
        loader = sys.modules.get("agent_tui.core.llm.litellm_loader")
        if not loaded and loader is not None and loader.is_loaded():
            loaded = True
            _log.write(json.dumps({"loaded": time.perf_counter()}) + "\n")
        start = _state["start"]
        if start is None or time.perf_counter() - start < _limit / 2 or len(_state["sampled"]) >= 3:
            continue
        frames = sys._current_frames()
        for thread in threading.enumerate():
            if thread is threading.current_thread() or thread.ident not in frames:
                continue
            depth = int(os.environ.get("STALL_DEPTH", "7")) if thread is _main else 5
            stack = traceback.extract_stack(frames[thread.ident], limit=depth)
            _state["sampled"].append([thread.name] + [f"{f.filename.split('site-packages/')[-1]}:{f.lineno} {f.name}"
                                                      for f in stack])


asyncio.events.Handle._run = _run
if os.environ.get("STALL_SWITCH"):
    sys.setswitchinterval(float(os.environ["STALL_SWITCH"]))
threading.Thread(target=_watch, name="stall-watchdog", daemon=True).start()
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=20.0, help="ms")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to type after ready")
    parser.add_argument("--send", action="store_true",
                        help="instead of typing, send a prompt at ready and time its first token after the import")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="agent-tui-stalls-"))
    try:
        home, project, site = root / "home", root / "project", root / "site"
        for folder in (home, project, site):
            folder.mkdir()
        (project / "README.md").write_text("# bench project\n")
        (site / "sitecustomize.py").write_text(TRACER)
        stall_log = root / "stalls.jsonl"
        echoes: list[tuple[float, float | None]] = []
        ready = 0.0
        first_token: float | None = None
        server = BenchServer().start()
        try:
            env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                   "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-bench",
                   "AGENT_TUI_HOME": str(home / ".agent-tui"), "PYTHONPATH": str(site),
                   "STALL_LOG": str(stall_log), "STALL_MS": str(args.threshold),
                   **{k: os.environ[k] for k in ("STALL_SWITCH", "STALL_DEPTH") if k in os.environ}}
            term = Terminal(root)
            term.start([str(args.venv / "bin" / "agent-tui"), "--model", "openai/bench"], env, project)
            try:
                if term.wait_for(lambda s: "Ask anything" in s, 30) is None:
                    sys.exit("the app never became ready")
                ready = time.monotonic()
                if args.send:
                    term.type("bench tokens=20 delay_ms=0 id=s1")
                    time.sleep(0.05)
                    term.keys("Enter")
                    first_token = term.wait_for(lambda s: "BEGINQZs1" in s, 60, poll=0.005)
                end = ready + (0 if args.send else args.seconds)
                control = ControlClient(term.base, (term.width, term.height))
                line = EchoLine(control)
                try:
                    while time.monotonic() < end:
                        sent = time.monotonic()
                        echoes.append((sent - ready, line.next_ms()))
                        time.sleep(0.1)
                finally:
                    control.close()
            finally:
                term.stop()
        finally:
            server.stop()
        records = [json.loads(line) for line in stall_log.read_text().splitlines()] if stall_log.exists() else []
    finally:
        shutil.rmtree(root, ignore_errors=True)

    loaded = next((r["loaded"] for r in records if "loaded" in r), None)
    records = [r for r in records if "ms" in r]
    if args.send and first_token is not None and loaded is not None:
        print(f"prompt sent at ready: litellm loaded at {loaded - ready:+.2f} s, first token on screen "
              f"{first_token - loaded:.3f} s after that (watchdog polls every {args.threshold / 2:.0f} ms)")
    # perf_counter and monotonic are the same clock on Linux: times are printed from "ready" on screen.
    print(f"load average {os.getloadavg()[0]:.1f}; {len(records)} loop callbacks ≥ {args.threshold:.0f} ms")
    slow = [f"{at:+.2f} s: {ms:.0f} ms" for at, ms in echoes if ms is None or ms >= args.threshold]
    seen_ms = sorted(ms for _, ms in echoes if ms is not None)
    if seen_ms:
        print(f"echo of {len(echoes)} keys (max / p95 / median ms, keys seen): {echo_cell(seen_ms)}")
    print(f"echo of {len(echoes)} keys: slow ones (time after ready): " + (", ".join(slow) or "none"))
    for record in sorted(records, key=lambda r: -r["ms"])[:25]:
        print(f"\n{record['ms']:6.0f} ms (own CPU {record['cpu_ms']:5.0f} ms) at {record['at'] - ready:+5.2f} s  "
              f"{record['what']}")
        seen = set()
        for sample in record["others"]:
            key = tuple(sample)
            idle = sample[-1].endswith((" wait", " select", " get")) and sample[0] != "MainThread"
            if key not in seen and not idle:
                seen.add(key)
                print("    " + sample[0] + ": " + " ← ".join(reversed(sample[1:])))


if __name__ == "__main__":
    main()
