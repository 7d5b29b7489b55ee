"""What the first send adds to agent-tui's idle memory, seen from inside the real app in a real terminal.

Run: python3 benchmarks/first_send_memory.py [--trace [--frames 12]] [--who-imports httpcore,markdown_it]
     [--python /work/venv/bin/python]

agent-tui runs from this checkout (PYTHONPATH, nothing installed) in a tmux pane, as `benchmarks/terminal.py`
runs it, against that benchmark's scripted server, through a small wrapper that answers SIGUSR1 by writing what
the process holds: its modules, PSS and USS from /proc/self/smaps_rollup and, with `--trace`, a tracemalloc
snapshot. The steps:

1. launch; wait until litellm's background warm-up has finished and at least 10 s have passed; dump "idle"
   (terminal.py takes its idle figure at 10 s whatever the load: on a busy machine litellm may not be loaded yet);
2. send one prompt of 20 tokens, wait for the reply and 2 s more; dump "after send";
3. without `--trace`, SIGUSR2: clear linecache, collect, malloc_trim, with PSS after each (what is still
   freeable);
4. print PSS of both, the modules the send loaded (by top-level package), with `--who-imports` the stack that
   first imported each named module, and with `--trace` the largest allocation sites made after "idle" and still
   alive (the "after send" PSS then includes tracemalloc's own cost).

PSS shares each page among the processes mapping it, other Pythons on the machine included; USS (the private
pages) is steadier for before/after comparisons.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from terminal_probe import Terminal, pss_mb  # noqa: E402
from terminal_server import BenchServer  # noqa: E402

# Runs inside the app's process: a SIGUSR1 handler that dumps, then agent-tui's own entry point.
WRAPPER = r"""
import json, os, signal, sys, tracemalloc
out, trace = sys.argv[1], sys.argv[2] == "1"
step = [0]

def pss():
    # PSS divides shared pages among the processes that map them (other Pythons on the machine too), so the
    # private pages (USS) are shown beside it: what this process alone holds. "pss/uss" in MB.
    fields = {}
    for line in open("/proc/self/smaps_rollup"):
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return [fields.get("Pss", 0.0), fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)]

def dump(signum, frame):
    step[0] += 1
    data = {"pss": pss(), "modules": sorted(sys.modules)}
    if trace and step[0] == 1:
        tracemalloc.start(12)
    elif trace and tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        data["sites"] = [
            {"kb": s.size / 1024, "count": s.count,
             "frames": [f"{f.filename}:{f.lineno}" for f in s.traceback]}
            for s in snapshot.statistics("traceback")[:60]
        ]
        data["files"] = [{"kb": s.size / 1024, "file": s.traceback[0].filename}
                         for s in snapshot.statistics("filename")[:40]]
        data["traced_kb"] = tracemalloc.get_traced_memory()[0] / 1024
    with open(f"{out}.{step[0]}.json", "w") as f:
        json.dump(data, f)

signal.signal(signal.SIGUSR1, dump)

def release(signum, frame):  # SIGUSR2: each way of giving memory back, one at a time, PSS after each
    import ctypes, gc, linecache
    steps = [("linecache.clearcache()", linecache.clearcache), ("gc.collect()", gc.collect),
             ("malloc_trim(0)", lambda: ctypes.CDLL("libc.so.6").malloc_trim(0))]
    rows = []
    for name, call in steps:
        call()
        rows.append([name, pss()])
    with open(f"{out}.release.json", "w") as f:
        json.dump(rows, f)

signal.signal(signal.SIGUSR2, release)

class WhoImports:  # --who-imports: where the first import of each named module came from
    names = set(filter(None, os.environ.get("WHO_IMPORTS", "").split(",")))

    def find_spec(self, name, path=None, target=None):
        if name in self.names:
            self.names.discard(name)
            import traceback
            with open(f"{out}.who", "a") as f:
                f.write(f"=== {name}\n" + "".join(traceback.format_stack(limit=30)))
        return None

sys.meta_path.insert(0, WhoImports())

def watch_warm_up():
    import time
    while True:
        time.sleep(0.2)
        loader = sys.modules.get("agent_tui.core.llm.litellm_loader")
        thread = getattr(loader, "_warm_thread", None)
        if thread is not None and not thread.is_alive():
            open(f"{out}.warm", "w").close()
            return

import threading
threading.Thread(target=watch_warm_up, daemon=True).start()
sys.argv = ["agent-tui", *sys.argv[3:]]
from agent_tui.cli import main
sys.exit(main())
"""


def read_dump(path: Path, timeout: float = 20) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists():
            time.sleep(0.3)  # let the writer finish
            return json.loads(path.read_text() or "{}")
        time.sleep(0.1)
    raise SystemExit(f"no dump at {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--frames", type=int, default=4, help="frames shown per allocation site")
    parser.add_argument("--who-imports", default="", help="modules (comma-separated) whose importer to show")
    parser.add_argument("--keep", type=Path, help="copy the raw dumps (JSON) into this folder")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds after launch for the idle dump")
    args = parser.parse_args()
    server = BenchServer().start()
    root = Path(tempfile.mkdtemp(prefix="first-send-memory-"))
    try:
        home, project = root / "home", root / "project"
        home.mkdir()
        project.mkdir()
        (project / "README.md").write_text("# bench project\n")
        wrapper = root / "wrapper.py"
        wrapper.write_text(WRAPPER)
        out = root / "dump"
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-bench",
               "AGENT_TUI_HOME": str(home / ".agent-tui"), "PYTHONPATH": str(HERE.parent),
               "WHO_IMPORTS": args.who_imports}
        term = Terminal(root)
        started = term.start([args.python, str(wrapper), str(out), "1" if args.trace else "0",
                              "--model", "openai/bench"], env, project)
        pid = term.pid or 0
        try:
            if term.wait_for(lambda s: "Ask anything" in s, 30) is None:
                raise SystemExit("the app never became ready:\n" + term.screen())
            read_dump(Path(f"{out}.warm"), timeout=60)  # litellm loaded and warmed up
            time.sleep(max(1.0, started + args.idle - time.monotonic()))
            outside_idle = pss_mb(pid)
            os.kill(pid, signal.SIGUSR1)
            idle = read_dump(Path(f"{out}.1.json"))
            term.type("bench tokens=20 delay_ms=0 id=r1")
            time.sleep(0.05)
            term.keys("Enter")
            if term.wait_for(lambda s: "ENDQZr1" in s, 30) is None:
                raise SystemExit("no reply:\n" + term.screen())
            time.sleep(2)
            outside_after = pss_mb(pid)
            os.kill(pid, signal.SIGUSR1)
            after = read_dump(Path(f"{out}.2.json"), timeout=120)
            if not args.trace:
                os.kill(pid, signal.SIGUSR2)
                for name, value in read_dump(Path(f"{out}.release.json")):
                    print(f"after {name}: PSS {value[0]:.1f} MB, USS {value[1]:.1f} MB")
            if Path(f"{out}.who").exists():
                print(Path(f"{out}.who").read_text())
        finally:
            term.stop()
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for dump in root.glob("dump.*"):
                    shutil.copy(dump, args.keep / dump.name)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    report(idle, after, outside_idle, outside_after, args.frames)


def report(idle: dict, after: dict, outside_idle: float, outside_after: float, frames_shown: int) -> None:
    print(f"PSS of the tree (outside): idle {outside_idle:.1f} MB, after send {outside_after:.1f} MB "
          f"({outside_after - outside_idle:+.1f})")
    (pss0, uss0), (pss1, uss1) = idle["pss"], after["pss"]
    print(f"the app (smaps_rollup): PSS idle {pss0:.1f} → after send {pss1:.1f} MB ({pss1 - pss0:+.1f}); "
          f"USS {uss0:.1f} → {uss1:.1f} MB ({uss1 - uss0:+.1f})")
    new = sorted(set(after["modules"]) - set(idle["modules"]))
    print(f"modules: {len(idle['modules'])} at idle, {len(new)} loaded by the send")
    by_top = collections.Counter(m.split(".")[0] for m in new)
    for top, count in by_top.most_common():
        examples = [m for m in new if m.split(".")[0] == top][:4]
        print(f"  {count:4}  {top:24} {', '.join(examples)}")
    if "sites" in after:
        print(f"traced after idle, still alive: {after['traced_kb'] / 1024:.1f} MB; by file:")
        for row in after["files"][:20]:
            print(f"  {row['kb']:8.0f} KB  {row['file']}")
        print("largest sites (innermost frame last):")
        for site in after["sites"][:25]:
            frames = [f.replace("/work/venv/lib/python3.11/site-packages/", "") for f in site["frames"]]
            print(f"  {site['kb']:8.0f} KB {site['count']:6} blocks  " + " <- ".join(reversed(frames[-frames_shown:])))


if __name__ == "__main__":
    main()
