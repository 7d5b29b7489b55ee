"""Outside views of a terminal app under test: a private tmux server, the screen, and the process tree's cost.

Everything is read from outside the app (tmux's copy of the screen, /proc), so the same measurement applies to
agent-tui and to any other program. Linux only (/proc); needs tmux.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

TMUX_CONF = """\
set -g default-terminal "tmux-256color"
set -sg escape-time 0
set -s exit-empty off
set -g status off
set -g history-limit 1000
"""

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Terminal:
    """One app in a 120×40 (or other) pane of a tmux server that nothing else uses."""

    def __init__(self, workdir: Path, width: int = 120, height: int = 40) -> None:
        if shutil.which("tmux") is None:
            raise SystemExit("the terminal benchmark needs tmux (apt-get install tmux)")
        self.width, self.height = width, height
        conf = workdir / "tmux.conf"
        conf.write_text(TMUX_CONF)
        self.base = ["tmux", "-L", f"bench-{os.getpid()}-{time.monotonic_ns()}", "-f", str(conf)]
        self.pid: int | None = None

    def start(self, command: list[str], env: dict[str, str], cwd: Path) -> float:
        """Launch `command`; returns the monotonic time just before tmux was asked to start it."""
        env_words = [f"{k}={v}" for k, v in env.items()]
        line = f"cd {shlex.quote(str(cwd))} && exec env {shlex.join(env_words)} {shlex.join(command)}"
        started = time.monotonic()
        subprocess.run([*self.base, "new-session", "-d", "-s", "app", "-x", str(self.width), "-y",
                        str(self.height), line], check=True)
        out = subprocess.run([*self.base, "display-message", "-p", "-t", "app", "#{pane_pid}"],
                             capture_output=True, text=True, check=True)
        self.pid = int(out.stdout.strip())
        return started

    def screen(self) -> str:
        out = subprocess.run([*self.base, "capture-pane", "-p", "-J", "-t", "app"], capture_output=True, text=True)
        return out.stdout

    def type(self, text: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "app", "-l", text], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "app", *keys], check=True)

    def wait_for(self, seen: Callable[[str], bool], limit: float, poll: float = 0.01) -> float | None:
        """Poll the screen until `seen(screen)`; the monotonic time it was first seen, or None after `limit` s."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if seen(self.screen()):
                return time.monotonic()
            time.sleep(poll)
        return None

    def stop(self) -> None:
        tree = process_tree(self.pid) if self.pid else []
        subprocess.run([*self.base, "kill-server"], capture_output=True)
        for pid in tree:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def process_tree(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(root: int) -> float:
    """User + system CPU of the tree, children that already exited included."""
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS


def pss_mb(root: int) -> float:
    """Proportional set size of the tree in MB (shared pages split between the processes sharing them)."""
    total_kb = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return total_kb / 1024


def machine_load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])
