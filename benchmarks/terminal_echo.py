"""Keystroke echo timed through a tmux control-mode client: no process per poll, the moment the output came.

Polling `tmux capture-pane` in a new process every few milliseconds (what `terminal_probe.Terminal.wait_for`
does) adds its own delay to every echo: the `send-keys` process before the key reaches the app (2–5 ms), the
poll interval, and one `capture-pane` process per poll competing for the same two cores as the app under
test. Here one control-mode client (`tmux -C attach`) stays connected: the key goes in as a command on its
stdin, the app's output comes back as `%output` notifications the moment tmux reads it from the pane, and a
`capture-pane` (answered on the same connection, no new process) after each burst of output says whether the
typed text is on the screen yet. The echo is the time from writing the key to the last `%output` before the
first capture that shows it: never earlier than the app's write, and late by at most one capture's round trip.

`EchoLine` types the letters: each after a marker no screen shows, so the text typed so far is found only where
it was typed, and erased every LINE_KEYS letters, so it never wraps or scrolls out of a one-line input.
"""

from __future__ import annotations

import math
import queue
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Reply:
    lines: list[str]


class ControlClient:
    """A tmux control-mode client attached to session `target` of the tmux server that `base` names."""

    def __init__(self, base: list[str], size: tuple[int, int], target: str = "app") -> None:
        self.target = target
        self._process = subprocess.Popen([*base, "-C", "attach", "-t", target], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self._events: queue.Queue[tuple[float, str, object]] = queue.Queue()
        threading.Thread(target=self._read, name="tmux-control", daemon=True).start()
        self.command(f"refresh-client -C {size[0]}x{size[1]}")  # the pane's own size: this client must not change it

    def _read(self) -> None:
        reply: list[str] | None = None
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            at = time.monotonic()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if reply is not None:
                if line.startswith(("%end ", "%error ")):
                    self._events.put((at, "reply", _Reply(reply)))
                    reply = None
                else:
                    reply.append(line)
            elif line.startswith("%begin "):
                reply = [] if line.endswith(" 1") else None  # flags 1: the answer to a command of ours
            elif line.startswith("%output "):
                self._events.put((at, "output", None))
        self._events.put((time.monotonic(), "closed", None))

    def _send(self, command: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write((command + "\n").encode())

    def command(self, command: str, limit: float = 5.0) -> list[str]:
        """Run one tmux command on this connection; its output lines."""
        self._send(command)
        end = time.monotonic() + limit
        while (left := end - time.monotonic()) > 0:
            try:
                _, kind, value = self._events.get(timeout=left)
            except queue.Empty:
                break
            if kind == "reply":
                return value.lines  # type: ignore[union-attr]
            if kind == "closed":
                break
        return []

    def echo_ms(self, letter: str, typed: str, limit: float = 5.0) -> float | None:
        """Type `letter` and wait until `typed` (all typed so far) is on the screen; the delay in ms, or None."""
        while not self._events.empty():  # output from before this key does not count
            self._events.get_nowait()
        sent = time.monotonic()
        self._send(f"send-keys -t {self.target} -l {letter}")
        last_output: float | None = None  # the newest output not yet covered by a capture
        asked_at: float | None = None  # the output time the capture in flight covers
        end = sent + limit
        while (left := end - time.monotonic()) > 0:
            try:
                at, kind, value = self._events.get(timeout=left)
            except queue.Empty:
                return None
            if kind == "closed":
                return None
            if kind == "output":
                last_output = at
            elif kind == "reply":
                screen = "\n".join(value.lines)  # type: ignore[union-attr]
                if asked_at is not None and typed in screen:
                    return (asked_at - sent) * 1000
                asked_at = None
            if asked_at is None and last_output is not None:
                asked_at, last_output = last_output, None
                self._send(f"capture-pane -p -J -t {self.target}")
        return None

    def screen(self) -> str:
        return "\n".join(self.command(f"capture-pane -p -J -t {self.target}"))

    def erase(self, typed: str, limit: float = 5.0) -> bool:
        """Backspace over `typed` and wait until it is off the screen (not timed: this is not an echo)."""
        self._send(f"send-keys -t {self.target} -N {len(typed)} BSpace")
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if typed not in self.screen():
                return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()


class EchoLine:
    """Letters typed one at a time into the app's input, each timed until the text so far is on the screen."""

    MARK = "qz"  # neither app shows it: `typed` is only ever found where it was typed
    LINE_KEYS = 40  # letters before the line is erased (the narrowest input here holds about 70)

    def __init__(self, control: ControlClient) -> None:
        self.control = control
        self.typed = ""

    def next_ms(self) -> float | None:
        """Type the next letter; its echo in ms, or None if it was not on the screen within 5 s."""
        if len(self.typed) >= len(self.MARK) + self.LINE_KEYS:
            self.control.erase(self.typed)
            self.typed = ""
        if not self.typed:
            self.typed = self.MARK
            self.control.echo_ms(self.MARK, self.MARK)  # not counted: the marker, then the letters after it
        letter = "abcdefghijklmnopqrstuvwxyz"[(len(self.typed) - len(self.MARK)) % 26]
        self.typed += letter
        return self.control.echo_ms(letter, self.typed)


def loader_thread_alive(pid: int, name: str = "litellm-warm-up") -> bool:
    """Whether process `pid` has a thread of that name (agent-tui names the thread that loads litellm)."""
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            if (task / "comm").read_text().strip() == name:
                return True
        except OSError:
            continue
    return False


def echo_cell(values: list[float] | None) -> str:
    """max / 95th percentile / median of pooled echo delays, and how many keys they are."""
    if not values:
        return "–"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return f"{ordered[-1]:.0f} / {p95:.0f} / {statistics.median(ordered):.0f} ({len(ordered)})"
