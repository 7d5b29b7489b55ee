"""Which single calls hold the interpreter lock longest while litellm loads in the background.

    python benchmarks/gil_stalls.py                 # the loader as the TUI runs it: import + warm-up
    python benchmarks/gil_stalls.py --threshold 10  # report C calls of 10 ms of CPU and more
    python benchmarks/gil_stalls.py --gc            # also time the cyclic garbage collector's passes

A fresh interpreter runs `litellm_loader.warm_up_in_background()` exactly as the TUI does, with two observers:

* in the loading thread, `sys.setprofile` times every call into C that runs no Python code inside it (such a
  call cannot give the lock away unless it releases it itself, as I/O does), in CPU time of that thread
  (`time.thread_time`), so other jobs on a shared machine do not inflate the figures; each long one is printed
  with the Python stack that made it;
* in the main thread, a ticker sleeping 1 ms and noting every wake-up that came more than `--threshold` ms late
  (wall time: this is what a keystroke would feel, and it is noisy on a loaded machine).

The ticker also tells the two kinds of long call apart: each of them is marked with how often the ticker ran
during it. A call that releases the lock (file reads, OpenSSL's certificate loading) lets it run many times and
costs the UI nothing; one that holds it (json's C parser, pydantic-core) lets it run only at its edges. The summary
line's "held" figure, the longest hold and their sum, is the one to compare between loader versions.

The profile hook slows the Python code of the import (not the C calls it times); the ticker's figures are
only comparable between runs made the same way.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=20.0, help="ms; report calls and gaps from this long")
    parser.add_argument("--gc", action="store_true", help="time the garbage collector's passes too")
    parser.add_argument("--no-profile", action="store_true", help="ticker only (the import at its own speed)")
    parser.add_argument("--switch", type=float, help="sys.setswitchinterval(SECONDS) first (the default is 0.005)")
    parser.add_argument("--stack", type=int, default=6, help="frames of Python stack per call")
    args = parser.parse_args()
    limit = args.threshold / 1000

    if args.switch:
        sys.setswitchinterval(args.switch)
    from agent_tui.core.llm import litellm_loader

    long_calls: list[tuple[float, str, list[str]]] = []
    silent: list[tuple[float, str, list[str]]] = []
    gc_passes: list[tuple[float, int, int]] = []
    gaps: list[tuple[float, float]] = []
    ticks = [0]  # the main-thread ticker's wake-ups: it needs the lock for each one

    def held(spent: float, ran: int) -> bool:
        # Released, the lock lets the ticker wake about once a millisecond; held, only at the call's edges.
        return ran < max(3, spent * 1000 / 4)
    started = time.monotonic()

    def profiler():  # one per loading thread: a stack of [c-function, start, ran-python-inside]
        open_calls: list[list] = []

        last_event = [time.thread_time(), "start", None, 0]

        def hook(frame, event, arg):
            # Any stretch between two events with no Python call or C-function call in it ran inside one call
            # the hook cannot see (a C type's constructor, a C object's __call__ such as json's scanner).
            now = time.thread_time()
            if now - last_event[0] >= limit:
                before = f"{last_event[1]} {getattr(last_event[2], '__qualname__', '')}"
                stack = traceback.format_list(traceback.extract_stack(frame, limit=args.stack))
                silent.append((now - last_event[0], f"between [{before}] and [{event}]", [ln.rstrip() for ln in stack],
                               ticks[0] - last_event[3]))
            hook_body(frame, event, arg)
            last_event[:] = [time.thread_time(), event, arg if event.startswith("c_") else frame.f_code, ticks[0]]

        def hook_body(frame, event, arg):
            if event == "c_call":
                open_calls.append([arg, time.thread_time(), False, ticks[0]])
            elif event in ("c_return", "c_exception"):
                if open_calls:
                    func, t0, nested, ticks0 = open_calls.pop()
                    spent = time.thread_time() - t0
                    if spent >= limit and not nested:
                        name = f"{getattr(func, '__module__', None) or ''}.{getattr(func, '__qualname__', func)}"
                        stack = traceback.format_list(traceback.extract_stack(frame, limit=args.stack))
                        long_calls.append((spent, name, [line.rstrip() for line in stack], ticks[0] - ticks0))
            elif event == "call" and open_calls:
                for entry in open_calls:
                    entry[2] = True
        return hook

    if args.gc:
        gc_started: list[float] = []

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                gc_started.append(time.thread_time())
            elif gc_started:
                gc_passes.append((time.thread_time() - gc_started.pop(), info["generation"], info["collected"]))
        gc.callbacks.append(on_gc)

    if not args.no_profile:
        threading.setprofile(profiler())  # for the loading thread, which starts next
    cpu0 = time.process_time()
    thread = litellm_loader.warm_up_in_background()
    threading.setprofile(None)
    last = time.perf_counter()
    late: list[float] = []
    while thread.is_alive():
        time.sleep(0.001)
        ticks[0] += 1
        now = time.perf_counter()
        late.append((now - last - 0.001) * 1000)
        if now - last >= limit + 0.001:
            gaps.append((now - started, (now - last - 0.001) * 1000))
        last = now
    cpu = time.process_time() - cpu0

    print(f"loaded and warmed in {time.monotonic() - started:.2f} s wall, {cpu:.2f} s CPU of the process")
    late.sort()
    print(f"main-thread ticker: {len(late)} wake-ups, late by median {late[len(late) // 2]:.2f} ms, "
          f"90th percentile {late[len(late) * 9 // 10]:.2f} ms, 99th {late[len(late) * 99 // 100]:.1f} ms")
    print(f"\nmain-thread ticker: {len(gaps)} wake-ups ≥ {args.threshold:.0f} ms late; longest:")
    for at, ms in sorted(gaps, key=lambda g: -g[1])[:12]:
        print(f"  {ms:6.0f} ms at {at:5.2f} s")
    if not args.no_profile:
        def report(title: str, found: list) -> None:
            held_ms = [spent for spent, _, _, ran in found if held(spent, ran)]
            print(f"\n{title}: {len(found)}, {sum(s for s, _, _, _ in found) * 1000:.0f} ms in all; holding the lock: "
                  f"{len(held_ms)}, {sum(held_ms) * 1000:.0f} ms, longest {max(held_ms, default=0) * 1000:.1f} ms")
            for spent, name, stack, ran in sorted(found, key=lambda c: -c[0]):
                kind = "held the lock" if held(spent, ran) else "released the lock"
                print(f"\n{spent * 1000:6.1f} ms  {name}  [{kind}: the ticker ran {ran}×]")
                for line in stack:
                    print("   " + line.replace("\n", "\n   "))

        report(f"C calls ≥ {args.threshold:.0f} ms of thread CPU in the loading thread", long_calls)
        report(f"stretches ≥ {args.threshold:.0f} ms of thread CPU between two profile events", silent)
    if args.gc:
        long_gc = [p for p in gc_passes if p[0] >= limit]
        print(f"\ngarbage collector: {len(gc_passes)} passes, {sum(p[0] for p in gc_passes) * 1000:.0f} ms; "
              f"≥ {args.threshold:.0f} ms: " + ", ".join(f"gen{g} {s * 1000:.0f} ms" for s, g, _ in long_gc))


if __name__ == "__main__":
    main()
