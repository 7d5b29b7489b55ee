"""Where the 3,000-chunk burst's CPU goes inside the installed agent-tui: py-spy on the app in a real terminal.

    python3 benchmarks/burst_profile.py --venv .bench/venv                 # the venv terminal.py installs into
    python3 benchmarks/burst_profile.py --venv .bench/venv --bursts 10 --top 40
    python3 benchmarks/burst_profile.py --venv .bench/venv --bursts 3 --paced   # the paced run's replies

Launches the app in a tmux pane against the scripted server, as `terminal.py` does, sends one short prompt,
then records it with py-spy (`--gil`: only samples of the thread holding the interpreter lock, so waiting for the
lock is not counted as work) while it streams `--bursts` replies of 3,000 chunks. Printed: Enter → last chunk
and the app's CPU for each burst, then the functions by own time and by inclusive time (share of the samples).
Needs py-spy (`pip install py-spy`; not a dependency of the project) and the permission to attach to a process.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from terminal_probe import Terminal, cpu_seconds  # noqa: E402
from terminal_server import BenchServer  # noqa: E402


def bursts(venv: Path, count: int, raw: Path, py_spy: str, tokens: int = 3000,
           delay_ms: int = 0) -> list[tuple[float, float]]:
    server = BenchServer().start()
    root = Path(tempfile.mkdtemp(prefix="agent-tui-burst-profile-"))
    home, project = root / "home", root / "project"
    home.mkdir()
    project.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-bench",
           "AGENT_TUI_HOME": str(home / ".agent-tui")}
    term = Terminal(root)
    figures: list[tuple[float, float]] = []
    try:
        term.start([str(venv / "bin" / "agent-tui"), "--model", "openai/bench"], env, project)
        if term.wait_for(lambda s: "Ask anything" in s, 30) is None:
            raise SystemExit("the app did not get ready")
        time.sleep(8)  # background loading settles, as in terminal.py

        def ask(tokens: int, reply_id: str, delay_ms: int = 0) -> float | None:
            term.type(f"bench tokens={tokens} delay_ms={delay_ms} id={reply_id}")
            time.sleep(0.05)
            sent = time.monotonic()
            term.keys("Enter")
            seen = term.wait_for(lambda s: f"ENDQZ{reply_id}" in s, 60)
            return None if seen is None else seen - sent

        ask(20, "prime")
        assert term.pid is not None
        spy = subprocess.Popen([py_spy, "record", "-p", str(term.pid), "-r", "500", "--gil", "--format", "raw",
                                "-o", str(raw), "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)  # py-spy attaches
        for n in range(count):
            before = cpu_seconds(term.pid)
            wall = ask(tokens, f"b{n}", delay_ms)
            if wall is not None:
                figures.append((wall, cpu_seconds(term.pid) - before))
            time.sleep(0.7)
        spy.send_signal(2)
        spy.wait(30)
    finally:
        term.stop()
        shutil.rmtree(root, ignore_errors=True)
    return figures


def report(raw: Path, top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames, samples = stack.split(";"), int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    print(f"\n{total} samples holding the interpreter lock")
    for title, counter in (("own time", own), ("inclusive", inclusive)):
        print(f"\n--- {title}")
        for frame, samples in counter.most_common(top):
            print(f"{100 * samples / total:5.1f} %  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, default=HERE.parent / ".bench" / "venv")
    parser.add_argument("--bursts", type=int, default=8)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--raw", type=Path, help="keep py-spy's samples here (default: a temporary file)")
    parser.add_argument("--paced", action="store_true", help="replies of 1,000 chunks 5 ms apart, as terminal.py's "
                        "paced run, instead of 3,000 at full speed")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("needs py-spy: pip install py-spy")
    if not (args.venv / "bin" / "agent-tui").exists():
        raise SystemExit(f"no agent-tui in {args.venv}: run benchmarks/terminal.py once (it installs this checkout)")
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.raw or Path(tmp) / "samples.txt"
        tokens, delay_ms = (1000, 5) if args.paced else (3000, 0)
        figures = bursts(args.venv, args.bursts, raw, py_spy, tokens, delay_ms)
        walls, cpus = [w for w, _ in figures], [c for _, c in figures]
        print(f"{len(figures)} replies of {tokens:,} chunks {delay_ms} ms apart, load {os.getloadavg()[0]:.1f}")
        print(f"Enter → last chunk on screen: median {statistics.median(walls):.2f} s "
              f"({min(walls):.2f}–{max(walls):.2f})")
        print(f"app CPU for the reply:        median {statistics.median(cpus):.2f} s "
              f"({min(cpus):.2f}–{max(cpus):.2f})")
        report(raw, args.top)


if __name__ == "__main__":
    main()
