"""agent-tui measured from outside, in a real terminal, beside a bare Textual app (the floor). One command:

    python3 benchmarks/terminal.py                 # installs this checkout into .bench/venv first if needed
    python3 benchmarks/terminal.py --runs 5 --out results.json
    python3 benchmarks/terminal.py --apps agent-tui --tests cold,stream --quick

Each app runs in a 120×40 pane of a private tmux server, with a fresh HOME and project folder per launch,
against `terminal_server.py` (OpenAI-compatible SSE on 127.0.0.1). Times are read off tmux's copy of the screen
(polled every 10 ms; keystroke echo through a tmux control-mode client instead, `terminal_echo.py`), CPU and
memory (PSS) off /proc for the app's whole process tree. Prints medians with min–max (echo: max / p95 / median
of every key), and how busy the machine was (on a shared machine compare the two columns of one run, not runs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from terminal_echo import ControlClient, EchoLine, echo_cell, loader_thread_alive  # noqa: E402
from terminal_probe import Terminal, cpu_seconds, machine_load, pss_mb  # noqa: E402
from terminal_server import BenchServer  # noqa: E402

TESTS = ("cold", "first", "echo", "stream", "long", "reopen")
ECHO_SECONDS, ECHO_SECONDS_QUICK = 6.0, 4.0  # typing after ready, per launch


@dataclass
class AppSpec:
    name: str
    command: list[str]
    env: Callable[[Path, str], dict[str, str]]
    ready: str
    warm: float  # seconds to wait after ready before the streaming tests (background loading settles)
    reopen: list[str] | None = None  # arguments that reopen the last session, if the app has sessions


@dataclass
class Results:
    figures: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float | None) -> None:
        if value is not None:
            self.figures.setdefault(name, []).append(value)


def apps(venv: Path) -> dict[str, AppSpec]:
    python = str(venv / "bin" / "python")
    return {
        "agent-tui": AppSpec(
            name="agent-tui", command=[str(venv / "bin" / "agent-tui"), "--model", "openai/bench"],
            env=lambda home, url: {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "sk-bench",
                                   "AGENT_TUI_HOME": str(home / ".agent-tui")},
            ready="Ask anything", warm=8.0, reopen=["-c"],
        ),
        "bare-textual": AppSpec(
            name="bare Textual app", command=[python, str(HERE / "bare_textual.py")],
            env=lambda home, url: {"OPENAI_BASE_URL": url}, ready="Ask the bare app", warm=2.0,
        ),
        # The floor with litellm in the process: the bare app importing litellm in a thread, untuned.
        "bare-litellm": AppSpec(
            name="bare Textual + litellm", command=[python, str(HERE / "bare_textual.py")],
            env=lambda home, url: {"OPENAI_BASE_URL": url, "BARE_LITELLM": "1"}, ready="Ask the bare app",
            warm=8.0,
        ),
    }


def settle(pid: int | None, limit: float = 30.0) -> None:
    """Wait until the app is idle (under 20 ms of CPU in half a second), at most `limit` s: on a busy machine
    background loading may still run at 10 s, and memory measured then is not the idle app's."""
    end = time.monotonic() + limit
    before = cpu_seconds(pid)
    while time.monotonic() < end:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < 0.02:
            return
        before = now


class Bench:
    def __init__(self, spec: AppSpec, server: BenchServer, venv: Path, runs: int, quick: bool) -> None:
        self.spec, self.server, self.venv, self.runs, self.quick = spec, server, venv, runs, quick
        self.results = Results()
        self._count = 0
        self.echo_after_load = 0.0  # seconds the echo test goes on typing after litellm's thread has ended
        self.autogroup_nice: int | None = None  # echo test: the app's autogroup nice (root; echo_ab.py --boost)

    # --- one launch ---------------------------------------------------------------------------------------

    def launch(self, *, extra: list[str] = (), prepare: Callable[[Path, Path, dict[str, str]], None] | None = None
               ) -> tuple[Terminal, float, Path]:
        root = Path(tempfile.mkdtemp(prefix="agent-tui-term-bench-"))
        home, project = root / "home", root / "project"
        home.mkdir()
        project.mkdir()
        (project / "README.md").write_text("# bench project\n")
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               **self.spec.env(home, self.server.base_url)}
        if prepare is not None:
            prepare(home, project, env)
        term = Terminal(root)
        started = term.start([*self.spec.command, *extra], env, project)
        return term, started, root

    def ready(self, term: Terminal, limit: float = 30) -> float | None:
        return term.wait_for(lambda s: self.spec.ready in s, limit)

    def ask(self, term: Terminal, tokens: int, delay_ms: int = 0) -> tuple[str, float]:
        self._count += 1
        reply_id = f"r{self._count}"
        term.type(f"bench tokens={tokens} delay_ms={delay_ms} id={reply_id}")
        time.sleep(0.05)  # let the text land before Enter, as a person's Enter would
        sent = time.monotonic()
        term.keys("Enter")
        return reply_id, sent

    def finished(self, term: Terminal, reply_id: str, limit: float = 60) -> float | None:
        return term.wait_for(lambda s: f"ENDQZ{reply_id}" in s, limit)

    @staticmethod
    def close(term: Terminal, root: Path) -> None:
        term.stop()
        shutil.rmtree(root, ignore_errors=True)

    # --- the tests ----------------------------------------------------------------------------------------

    def cold(self) -> None:
        for _ in range(self.runs):
            term, started, root = self.launch()
            try:
                seen = self.ready(term)
                self.results.add("ready_s", seen and seen - started)
                time.sleep(max(0.0, started + 10 - time.monotonic()))
                self.results.add("cpu_10s", cpu_seconds(term.pid))
                settle(term.pid)
                self.results.add("pss_idle", pss_mb(term.pid))
                reply_id, _ = self.ask(term, 20)
                if self.finished(term, reply_id, 30):
                    time.sleep(2)
                    self.results.add("pss_after_send", pss_mb(term.pid))
            finally:
                self.close(term, root)

    def first(self) -> None:
        """A prompt sent the moment the app is ready (before any background loading is done)."""
        for _ in range(self.runs):
            term, _, root = self.launch()
            try:
                if self.ready(term) is None:
                    continue
                reply_id, sent = self.ask(term, 20)
                seen = term.wait_for(lambda s, r=reply_id: f"BEGINQZ{r}" in s, 60)
                self.results.add("first_token_s", seen and seen - sent)
                # CPU of the app's processes from launch to that first token: the load-proof figure.
                self.results.add("first_token_cpu_s", seen and cpu_seconds(term.pid))
            finally:
                self.close(term, root)

    def echo(self) -> None:
        """Keystrokes while the app loads in the background: each letter's delay until it is on screen.

        A letter every 100 ms from ready, in `runs` launches, timed through a tmux control-mode client
        (`terminal_echo.py`: no process per poll), for ECHO_SECONDS or, if longer, until agent-tui's litellm
        thread has ended (30 s at most). Keys typed while that thread ran are also reported on their own, so keys
        typed after the load cannot dilute the figure. A key not seen within 5 s counts as 5 s. The letters follow a
        marker and are erased every 40 (`EchoLine`), so the text typed so far is never found anywhere else.
        """
        for _ in range(self.runs):
            term, _, root = self.launch()
            control = None
            try:
                if self.autogroup_nice is not None and term.pid is not None:  # the app and the tmux server
                    server = subprocess.run([*term.base, "display-message", "-p", "#{pid}"], capture_output=True,
                                            text=True).stdout.strip()
                    for pid in (term.pid, server):
                        Path(f"/proc/{pid}/autogroup").write_text(str(self.autogroup_nice))
                ready = self.ready(term)
                if ready is None:
                    continue
                control = ControlClient(term.base, (term.width, term.height))
                line = EchoLine(control)
                seconds = ECHO_SECONDS_QUICK if self.quick else ECHO_SECONDS
                loaded_at: float | None = None
                seen_loader = False  # an app without agent-tui's loading thread has no "after"
                while time.monotonic() < ready + 30 + self.echo_after_load:
                    loading = loader_thread_alive(term.pid)
                    seen_loader = seen_loader or loading
                    if loading:  # (the thread may start a moment after ready)
                        loaded_at = None
                    elif loaded_at is None:
                        loaded_at = time.monotonic()
                    if loaded_at is not None and time.monotonic() > max(ready + seconds,
                                                                         loaded_at + self.echo_after_load):
                        break
                    delay = line.next_ms()
                    delay = 5000.0 if delay is None else delay
                    self.results.add("echo_ms", delay)
                    if loading or loader_thread_alive(term.pid):
                        self.results.add("echo_loading_ms", delay)
                    elif seen_loader:
                        self.results.add("echo_loaded_ms", delay)
                    time.sleep(0.1)
            finally:
                if control is not None:
                    control.close()
                self.close(term, root)

    def stream(self) -> None:
        term, _, root = self.launch()
        try:
            if self.ready(term) is None:
                return
            time.sleep(self.spec.warm)
            prime, _ = self.ask(term, 20)
            self.finished(term, prime, 30)
            for _ in range(self.runs):
                before = cpu_seconds(term.pid)
                reply_id, sent = self.ask(term, 3000)
                seen = self.finished(term, reply_id)
                if seen is not None:
                    self.results.add("burst_s", seen - sent)
                    self.results.add("burst_cpu_s", cpu_seconds(term.pid) - before)
                time.sleep(1)
            for _ in range(self.runs):
                before = cpu_seconds(term.pid)
                reply_id, sent = self.ask(term, 1000 if self.quick else 3000, delay_ms=5)
                seen = self.finished(term, reply_id, 120)
                served = self.server.served.get(reply_id)
                if seen is not None and served is not None:
                    self.results.add("paced_lag_ms", (seen - served.last_sent) * 1000)
                    self.results.add("paced_cpu_pct", 100 * (cpu_seconds(term.pid) - before) / (seen - sent))
                time.sleep(1)
        finally:
            self.close(term, root)

    def long(self) -> None:
        term, _, root = self.launch()
        try:
            if self.ready(term) is None:
                return
            time.sleep(self.spec.warm)
            settle(term.pid)
            times: list[float] = []
            cpu: list[float] = []  # the app's CPU from Enter to the reply's end on screen: steadier under load
            before = pss_mb(term.pid)
            for index in range(51):
                if index == 50:
                    self.results.add("long_pss_growth", pss_mb(term.pid) - before)
                cpu_before = cpu_seconds(term.pid)
                reply_id, sent = self.ask(term, 500)
                seen = self.finished(term, reply_id, 60)
                if seen is None:
                    return
                times.append(seen - sent)
                cpu.append(cpu_seconds(term.pid) - cpu_before)
                time.sleep(0.3)
            self.results.add("reply_1_5_s", statistics.median(times[:5]))
            self.results.add("reply_51_s", times[50])
            self.results.add("reply_1_5_cpu", statistics.median(cpu[:5]))
            # Ten replies: a full garbage collection lands in one reply of every few and would decide alone.
            self.results.add("reply_42_51_cpu", statistics.median(cpu[41:51]))
        finally:
            self.close(term, root)

    def reopen(self) -> None:
        if self.spec.reopen is None:
            return

        def seed(home: Path, project: Path, env: dict[str, str]) -> None:
            subprocess.run([str(self.venv / "bin" / "python"), str(HERE / "terminal_seed.py"), "1000"],
                           cwd=project, env={**os.environ, **env}, check=True)

        for _ in range(self.runs):
            term, started, root = self.launch(extra=self.spec.reopen, prepare=seed)
            try:
                seen = term.wait_for(lambda s: "ENDQZreopen" in s, 60)
                self.results.add("reopen_s", seen and seen - started)
                self.results.add("reopen_pss", pss_mb(term.pid))
            finally:
                self.close(term, root)


# --- the table ------------------------------------------------------------------------------------------------

ROWS = [
    ("launch → prompt ready (s)", "ready_s", "{:.2f}"),
    ("CPU in the first 10 s after launch (s)", "cpu_10s", "{:.2f}"),
    ("idle memory, PSS before the first send (MB)", "pss_idle", "{:.0f}"),
    ("idle memory, PSS after the first send (MB)", "pss_after_send", "{:.0f}"),
    ("keystroke echo from ready on: max / p95 / median (ms), keys", "echo_ms", "echo"),
    ("… of those, keys typed while litellm loaded (its thread ran)", "echo_loading_ms", "echo"),
    ("… and keys typed after it had loaded", "echo_loaded_ms", "echo"),
    ("Enter → first token, sent at ready (s)", "first_token_s", "{:.2f}"),
    ("CPU from launch to that first token (s)", "first_token_cpu_s", "{:.2f}"),
    ("3,000 chunks at full speed: Enter → last on screen (s)", "burst_s", "{:.2f}"),
    ("CPU for that reply (s)", "burst_cpu_s", "{:.2f}"),
    ("paced 5 ms/chunk: last chunk sent → on screen (ms)", "paced_lag_ms", "{:.0f}"),
    ("CPU while the paced reply streams (% of a core)", "paced_cpu_pct", "{:.0f}"),
    ("50 replies of 500 tokens: PSS growth (MB)", "long_pss_growth", "{:.0f}"),
    ("reply #1–5, median (s)", "reply_1_5_s", "{:.2f}"),
    ("reply #51 (s)", "reply_51_s", "{:.2f}"),
    ("CPU of replies #1–5, median (s)", "reply_1_5_cpu", "{:.3f}"),
    ("CPU of replies #42–51, median (s)", "reply_42_51_cpu", "{:.3f}"),
    ("reopen a 1,000-message session: launch → last message (s)", "reopen_s", "{:.2f}"),
]


def cell(values: list[float] | None, fmt: str) -> str:
    if not values:
        return "–"
    med = fmt.format(statistics.median(values))
    if len(values) == 1:
        return med
    return f"{med} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def table(results: dict[str, dict[str, list[float]]]) -> str:
    names = list(results)
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key, fmt in ROWS:
        if fmt == "echo":  # every key of every launch pooled: the worst keys are the point
            lines.append(f"| {label} | " + " | ".join(echo_cell(results[n].get(key)) for n in names) + " |")
            continue
        lines.append(f"| {label} | " + " | ".join(cell(results[n].get(key), fmt) for n in names) + " |")
    return "\n".join(lines)


def ensure_venv(venv: Path, reinstall: bool) -> None:
    if (venv / "bin" / "agent-tui").exists() and not reinstall:
        return
    print(f"installing this checkout into {venv} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(HERE.parent)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", default="agent-tui,bare-textual")
    parser.add_argument("--tests", default=",".join(TESTS))
    parser.add_argument("--runs", type=int, default=3, help="launches (or replies) per figure, default 3")
    parser.add_argument("--venv", type=Path, default=HERE.parent / ".bench" / "venv",
                        help="the agent-tui install to measure (made from this checkout when missing)")
    parser.add_argument("--reinstall", action="store_true", help="install this checkout into --venv again")
    parser.add_argument("--quick", action="store_true", help="shorter paced and echo runs")
    parser.add_argument("--out", type=Path, help="also write the raw figures as JSON")
    args = parser.parse_args()
    ensure_venv(args.venv, args.reinstall)
    specs = apps(args.venv)
    server = BenchServer().start()
    results: dict[str, dict[str, list[float]]] = {}
    load_before = machine_load()
    try:
        for key in args.apps.split(","):
            bench = Bench(specs[key], server, args.venv, args.runs, args.quick)
            for test in args.tests.split(","):
                print(f"{specs[key].name}: {test} …", file=sys.stderr, flush=True)
                getattr(bench, test)()
            results[specs[key].name] = bench.results.figures
    finally:
        server.stop()
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average {load_before:.1f} → "
          f"{machine_load():.1f}; medians (min–max) of {args.runs}\n")
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
