"""Quitting while a reply streams: how long from the confirming key to the end of the process, and what is kept.

A real `agent-tui` process in a pseudo-terminal talks to the scripted model server; a reply starts streaming
and then stalls; Ctrl+C, then `y` in the "Quit?" dialog. Printed: the median time from `y` to the process's
exit over several runs, and whether the stored reply holds the text that had arrived (issue 12.13: < 0.5 s,
nothing lost).

Run: python benchmarks/quit_mid_stream.py
"""

from __future__ import annotations

import json
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, delay, text

REPO = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("RUNS", "5"))
MARK = "Streamed-part-of-the-reply"


def read_until(fd: int, wanted: bytes, limit: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"never saw {wanted!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def drain(fd: int) -> None:
    while select.select([fd], [], [], 0)[0]:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def one_run(tmp: Path, srv: FakeLLMThread, titles: FakeLLMThread) -> tuple[float, str]:
    project = tmp / "project"
    project.mkdir(exist_ok=True)
    (project / "agent-tui.json").write_text(json.dumps({
        "model": "fake/m", "small_model": "titles/m",
        "provider": {
            "fake": {"api": "openai", "base_url": srv.openai_base, "api_key": "sk-bench",
                     "models": {"m": {"limit": {"context": 100000, "output": 4000}}}},
            "titles": {"api": "openai", "base_url": titles.openai_base, "api_key": "sk-bench", "models": {"m": {}}},
        },
    }))
    home = tmp / "home"
    env = {**os.environ, "AGENT_TUI_HOME": str(home), "LITELLM_LOCAL_MODEL_COST_MAP": "True",
           "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    master, slave = pty.openpty()
    os.set_blocking(master, True)
    child = subprocess.Popen([sys.executable, "-m", "agent_tui.cli", str(project)], stdin=slave, stdout=slave,
                             stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    try:
        read_until(master, b"Ask anything", 60)
        time.sleep(6)  # litellm finishes loading in the background, as in a session that has been open a while
        drain(master)
        os.write(master, b"hello\r")
        read_until(master, MARK.encode(), 60)
        os.write(master, b"\x03")
        read_until(master, b"Quit?", 10)
        drain(master)
        start = time.perf_counter()
        os.write(master, b"y")
        while child.poll() is None:
            drain(master)
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        os.close(master)
    shown = subprocess.run([sys.executable, "-m", "agent_tui.cli", "sessions", "list"], cwd=project,
                           env=env, capture_output=True, text=True, check=False)
    session_id = shown.stdout.split()[0] if shown.stdout.strip() else ""
    stored = subprocess.run([sys.executable, "-m", "agent_tui.cli", "sessions", "show", session_id], cwd=project,
                            env=env, capture_output=True, text=True, check=False).stdout
    return elapsed, stored


def main() -> None:
    times: list[float] = []
    kept: list[bool] = []
    for _ in range(RUNS):
        script = [Reply.of(text(f"{MARK} and more ", chunks=3), delay(60), text("never arrives"))]
        with (tempfile.TemporaryDirectory() as tmp, FakeLLMThread(script) as srv,
              FakeLLMThread([Reply.of(text("A title"))]) as titles):
            elapsed, stored = one_run(Path(tmp), srv, titles)
        times.append(elapsed)
        kept.append(MARK in stored)
    print(f"quit mid-stream, {RUNS} real processes in a pty:")
    print(f"  'y' to process exit: median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms")
    print(f"  partial reply stored: {sum(kept)} of {RUNS}")


if __name__ == "__main__":
    main()
