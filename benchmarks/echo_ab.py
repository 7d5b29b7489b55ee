"""Keystroke echo while litellm loads, for two or more agent-tui installs launched in turn, beside the bare app.

    python3 benchmarks/echo_ab.py --venv .bench/venv-before --venv .bench/venv --launches 6

On a shared machine the load changes from one minute to the next, so comparing two runs of `terminal.py` says
more about the neighbours than about the change. Here the installs (and the bare Textual app, the floor) are
launched alternately, A B bare A B bare …, each launch typing as `terminal.py --tests echo` does (through a tmux
control-mode client, until litellm's thread has ended and `--after` seconds more), and every key of every launch
is pooled per install. Prints max / p95 / median (keys) for all keys, for those typed while litellm loaded and for
those typed after (the app's own echo, the figure to hold the loading one against), and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from terminal import Bench, apps  # noqa: E402
from terminal_echo import echo_cell  # noqa: E402
from terminal_server import BenchServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, action="append", required=True, help="an install to measure (repeat)")
    parser.add_argument("--launches", type=int, default=6, help="launches per install, default 6")
    parser.add_argument("--no-bare", action="store_true", help="leave the bare Textual app out")
    parser.add_argument("--after", type=float, default=3.0, help="seconds of typing after litellm loaded, default 3")
    parser.add_argument("--boost", type=int, metavar="NICE",
                        help="set the autogroup nice of each app, its tmux server and this process (root; e.g. -10: "
                             "the neighbours count for little, so what is left is the app's own threads)")
    args = parser.parse_args()
    server = BenchServer().start()
    benches: list[tuple[str, Bench]] = []
    for venv in args.venv:
        spec = replace(apps(venv)["agent-tui"], name=str(venv))
        benches.append((str(venv), Bench(spec, server, venv, runs=1, quick=False)))
    if not args.no_bare:
        benches.append(("bare Textual app", Bench(apps(args.venv[0])["bare-textual"], server, args.venv[0], 1, False)))
    if args.boost is not None:  # this process too: its control-mode reader timestamps the app's output
        Path("/proc/self/autogroup").write_text(str(args.boost))
    for _, bench in benches:
        bench.echo_after_load = args.after
        bench.autogroup_nice = args.boost
    load_before = os.getloadavg()[0]
    try:
        for launch in range(args.launches):
            for name, bench in benches:
                print(f"launch {launch + 1}/{args.launches}: {name} …", file=sys.stderr, flush=True)
                bench.echo()
    finally:
        server.stop()
    boost = f", autogroup nice {args.boost}" if args.boost is not None else ""
    print(f"\nload average {load_before:.1f} → {os.getloadavg()[0]:.1f}; {args.launches} launches each, alternating"
          f"{boost}\n")
    print("echo, max / p95 / median ms (keys)\n")
    print("| install | all keys | keys typed while litellm loaded | keys typed after |")
    print("|---|---|---|---|")
    for name, bench in benches:
        cells = [echo_cell(bench.results.figures.get(key)) for key in ("echo_ms", "echo_loading_ms", "echo_loaded_ms")]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
