"""The per-server log file that receives a local server's stderr (never the terminal the TUI draws on)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from agent_tui.core.mcp.names import sanitize
from agent_tui.core.private_files import open_private, private_dir

MAX_BYTES = 1_000_000  # one older generation is kept as `.log.1`
_TAIL_BYTES = 4096


def log_path(log_dir: Path, server: str) -> Path:
    return log_dir / f"mcp-{sanitize(server)}.log"


def open_log(path: Path, header: str) -> TextIO:
    """Open the log for appending (rotating a large one) and mark where this run starts."""
    private_dir(path.parent)
    if path.exists() and path.stat().st_size > MAX_BYTES:
        path.replace(path.with_name(path.name + ".1"))
    log = open_private(path, "a", encoding="utf-8", errors="replace", buffering=1)
    log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {header}\n")
    return log


def last_line(path: Path) -> str | None:
    """The last line the server wrote in its current run, to explain a crash."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, 2)
            file.seek(max(0, size - _TAIL_BYTES))
            tail = file.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = [line.strip() for line in tail.splitlines()]
    lines = [line for line in lines if line]
    if not lines or lines[-1].startswith("--- "):
        return None
    return lines[-1][:200]
