"""Where the paced reply's CPU goes, frame by frame: agent-tui in a real terminal (tmux), with a probe inside.

    python3 benchmarks/paced_frames.py                     # this checkout, 2 replies of 1,000 chunks at 5 ms
    python3 benchmarks/paced_frames.py --source /tmp/old   # another checkout (an `git archive` of an older commit)
    python3 benchmarks/paced_frames.py --plain             # no probe: only CPU per thread and the lag

Runs the checkout's `agent_tui` with the Python of `--venv` (see terminal.py) in a 120×40 tmux pane against
terminal_server.py. The probe (this file, run inside the app with `--inside`) wraps Textual's screen update and
the message dispatch to record, per reply: the screen updates (count, CPU, what was repainted: widgets, the
rectangle, whether the log scrolled or the screen was laid out again), the CPU of each kind of handler, and the
order of events around the last chunk (when the end of the reply was sent to the terminal). Outside, it reads
each thread's CPU from /proc. Compare two checkouts in the same minutes: the machine is shared.
"""

from __future__ import annotations

import argparse
import collections
import contextvars
import glob
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


# --- inside the app -------------------------------------------------------------------------------------------

def probe(out: str) -> None:
    """Install the wrappers, then run agent-tui; the records are written to `out` every two seconds."""
    import threading

    from textual import _compositor
    from textual.app import App
    from textual.geometry import Region
    from textual.message_pump import MessagePump
    from textual.screen import Screen

    from agent_tui.tui.app import AgentApp

    frames: list[dict[str, object]] = []
    handlers: list[tuple[float, str, float]] = []
    timeline: list[tuple[float, str]] = []
    seen: dict[str, object] = {}

    partial = _compositor.Compositor.render_partial_update

    def render_partial_update(self):  # type: ignore[no-untyped-def]
        if self._dirty_regions:
            seen["crop"] = tuple(Region.from_union(list(self._dirty_regions)))
        return partial(self)

    update = Screen._on_timer_update

    def on_timer_update(self):  # type: ignore[no-untyped-def]
        seen.clear()
        dirty = sorted({type(w).__name__ + (f"#{w.id}" if w.id else "") for w in self._dirty_widgets})
        layout = self._layout_required
        started = time.thread_time()
        update(self)
        log = next(iter(self.query("#transcript")), None)
        frames.append({"t": time.monotonic(), "ms": (time.thread_time() - started) * 1000, "dirty": dirty,
                       "layout": layout, "scroll": round(log.scroll_y) if log is not None else 0, **seen})

    depth: contextvars.ContextVar[int] = contextvars.ContextVar("depth", default=0)
    dispatch = MessagePump._dispatch_message

    async def dispatch_message(self, message):  # type: ignore[no-untyped-def]
        token = depth.set(depth.get() + 1)
        started = time.thread_time()
        try:
            return await dispatch(self, message)
        finally:
            depth.reset(token)
            if depth.get() == 0:
                handlers.append((time.monotonic(), f"{type(message).__name__} > {type(self).__name__}",
                                 (time.thread_time() - started) * 1000))

    # One engine event handled by the app (named `on_engine_event` in older checkouts).
    hook = "apply_engine_event" if hasattr(AgentApp, "apply_engine_event") else "on_engine_event"
    engine_event = getattr(AgentApp, hook)

    def on_engine_event(self, message):  # type: ignore[no-untyped-def]
        event = getattr(message, "event", message)
        part = getattr(event, "part", None)
        ended = part is not None and (getattr(part, "time_end", None) or getattr(part, "type", "") == "step-finish")
        if type(event).__name__ != "PartDelta":
            timeline.append((time.monotonic(), type(event).__name__ + (" (ends a part)" if ended else "")))
        return engine_event(self, message)

    from agent_tui.tui.transcript.widget import Transcript

    flush = Transcript._flush_changes

    def flush_changes(self):  # type: ignore[no-untyped-def]
        started = time.thread_time()
        try:
            return flush(self)
        finally:
            handlers.append((time.monotonic(), "the log's render of a frame (Transcript._flush_changes; part of it "
                             "runs inside the handlers above)", (time.thread_time() - started) * 1000))

    display = App._display

    def on_display(self, screen, renderable):  # type: ignore[no-untyped-def]
        result = display(self, screen, renderable)
        timeline.append((time.monotonic(), "sent to the terminal"))
        return result

    Screen._on_timer_update = on_timer_update
    _compositor.Compositor.render_partial_update = render_partial_update
    MessagePump._dispatch_message = dispatch_message
    setattr(AgentApp, hook, on_engine_event)
    App._display = on_display
    Transcript._flush_changes = flush_changes

    def dump() -> None:
        while True:
            time.sleep(2)
            Path(out).write_text(json.dumps({"frames": frames, "handlers": handlers, "timeline": timeline}))

    threading.Thread(target=dump, daemon=True, name="probe-dump").start()
    from agent_tui.cli import main
    sys.argv = ["agent-tui", *sys.argv[3:]]  # after `--inside OUT`: agent-tui's own arguments
    sys.exit(main())


# --- outside ----------------------------------------------------------------------------------------------------

def thread_cpu(pid: int) -> dict[str, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            name = Path(task, "comm").read_text().strip()
            fields = Path(task, "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        tid = task.rsplit("/", 1)[1]
        found["main" if tid == str(pid) else f"{name} {tid}"] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def report(record: dict, window: dict) -> None:  # type: ignore[type-arg]
    last = window["last_sent"]
    print(f"\nreply: lag {window['lag_ms']:.0f} ms, process CPU {window['cpu']:.2f} s over {window['wall']:.2f} s "
          f"({100 * window['cpu'] / window['wall']:.1f} %), main thread {window['threads'].get('main', 0):.2f} s")
    frames = [f for f in record.get("frames", []) if window["sent"] <= f["t"] <= window["seen"]]
    if not frames:
        return
    print(f"  screen updates: {len(frames)}, {sum(f['ms'] for f in frames):.0f} ms CPU, "
          f"median {statistics.median(f['ms'] for f in frames):.2f} ms")
    kinds: collections.Counter[str] = collections.Counter()
    cost: collections.Counter[str] = collections.Counter()
    previous = None
    for frame in frames:
        crop = frame.get("crop")
        kind = ("scrolled " if previous is not None and frame["scroll"] != previous else "") + \
               ("layout " if frame["layout"] else "") + ", ".join(frame["dirty"]) + \
               (f"  [{crop[2]}×{crop[3]}]" if crop else "")
        previous = frame["scroll"]
        kinds[kind] += 1
        cost[kind] += frame["ms"]
    for kind, count in kinds.most_common(8):
        print(f"  {count:4d} × {cost[kind] / count:5.2f} ms  {kind}")
    by_handler: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    for at, name, ms in record.get("handlers", []):
        if window["sent"] <= at <= window["seen"]:
            by_handler[name] += ms
            calls[name] += 1
    print("  handlers (CPU ms, calls):")
    for name, ms in by_handler.most_common(5):
        print(f"    {ms:7.1f} {calls[name]:5d}  {name}")
    print("  around the last chunk (ms after it was sent):")
    for at, what in record.get("timeline", []):
        if last - 0.005 <= at <= window["seen"]:
            print(f"    {1000 * (at - last):6.1f}  {what}")
    print(f"    {1000 * (window['seen'] - last):6.1f}  on tmux's screen")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        probe(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE.parent, help="the checkout whose agent_tui runs")
    parser.add_argument("--venv", type=Path, default=HERE.parent / ".bench" / "venv",
                        help="a venv with agent-tui's dependencies (terminal.py makes one)")
    parser.add_argument("--replies", type=int, default=2)
    parser.add_argument("--plain", action="store_true", help="no probe inside the app")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from terminal import AppSpec, Bench
    from terminal_probe import cpu_seconds
    from terminal_server import BenchServer

    out = tempfile.mktemp(prefix="paced-frames-", suffix=".json")
    inner = [] if args.plain else [str(Path(__file__).resolve()), "--inside", out]
    command = [str(args.venv / "bin" / "python"), *(inner or ["-m", "agent_tui.cli"]), "--model", "openai/bench"]
    spec = AppSpec(name="agent-tui", command=command, ready="Ask anything", warm=8.0,
                   env=lambda home, url: {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "sk-bench",
                                          "AGENT_TUI_HOME": str(home / ".agent-tui"),
                                          "PYTHONPATH": str(args.source.resolve())})
    server = BenchServer().start()
    bench = Bench(spec, server, args.venv, args.replies, True)
    term, _, root = bench.launch()
    windows = []
    try:
        if bench.ready(term) is None:
            raise SystemExit("agent-tui did not get ready")
        time.sleep(spec.warm)
        prime, _ = bench.ask(term, 20)
        bench.finished(term, prime, 30)
        for _ in range(args.replies):
            cpu_before, threads_before = cpu_seconds(term.pid), thread_cpu(term.pid)
            reply_id, sent = bench.ask(term, 1000, delay_ms=5)
            seen = bench.finished(term, reply_id, 120)
            served = server.served.get(reply_id)
            if seen is None or served is None:
                continue
            threads = {k: v - threads_before.get(k, 0.0) for k, v in thread_cpu(term.pid).items()}
            windows.append({"sent": sent, "seen": seen, "wall": seen - sent, "last_sent": served.last_sent,
                            "lag_ms": (seen - served.last_sent) * 1000, "cpu": cpu_seconds(term.pid) - cpu_before,
                            "threads": threads})
            time.sleep(1)
        time.sleep(2.5)  # the probe writes its records every 2 s
    finally:
        bench.close(term, root)
    record = json.loads(Path(out).read_text()) if Path(out).exists() else {}
    Path(out).unlink(missing_ok=True)
    print(f"{args.source}: {len(windows)} replies of 1,000 chunks, 5 ms apart; load average {os.getloadavg()[0]:.1f}")
    for window in windows:
        report(record, window)


if __name__ == "__main__":
    main()
