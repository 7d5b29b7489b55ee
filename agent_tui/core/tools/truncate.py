"""Keep tool output small enough for the model: over 2,000 lines or 50 KB, the head is kept and the whole output
is saved to a file the model is told about (it can read parts of it with `read` and an offset, or `grep` it).
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

from agent_tui.core import paths
from agent_tui.core.private_files import write_private_text

MAX_LINES = 2000
MAX_BYTES = 50 * 1024

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)[:80] or "x"


def saved_output_path(session_id: str, call_id: str) -> Path:
    return paths.tool_output_dir() / f"{_safe(session_id)}-{_safe(call_id)}.txt"


def truncate_for_model(output: str, *, session_id: str, call_id: str) -> tuple[str, dict[str, Any]]:
    """Return the text to send to the model and metadata (`truncated`, and when truncated `output_path`)."""
    encoded_len = len(output.encode("utf-8", errors="replace"))
    line_count = output.count("\n") + (0 if output.endswith("\n") or not output else 1)
    if line_count <= MAX_LINES and encoded_len <= MAX_BYTES:
        return output, {"truncated": False}

    kept: list[str] = []
    kept_bytes = 0
    for line in output.splitlines(keepends=True):
        size = len(line.encode("utf-8", errors="replace"))
        if len(kept) >= MAX_LINES or kept_bytes + size > MAX_BYTES:
            break
        kept.append(line)
        kept_bytes += size
    if not kept:  # one enormous line: cut it by characters
        kept = [output[: MAX_BYTES // 4]]
    head = "".join(kept)

    path = saved_output_path(session_id, call_id)
    paths.ensure(path.parent)
    write_private_text(path, output, errors="replace")
    omitted_lines = max(line_count - len(kept), 0)
    note = (
        f"\n\n[Output truncated: showing the first {len(kept)} of {line_count} lines "
        f"({kept_bytes // 1024} KB of {encoded_len // 1024} KB); {omitted_lines} more lines not shown. "
        f"The full output is saved at {path}. Read further parts with the read tool "
        f"(file_path={path}, offset={len(kept) + 1}) or search it with the grep tool (path={path}); "
        "do not read it all at once.]"
    )
    sep = "" if head.endswith("\n") else "\n"
    return head + sep + note.lstrip("\n"), {
        "truncated": True,
        "output_path": str(path),
        "total_lines": line_count,
        "total_bytes": encoded_len,
    }


SAVED_OUTPUT_MAX_AGE = 7 * 24 * 3600


def remove_old_saved_outputs(max_age: float = SAVED_OUTPUT_MAX_AGE) -> None:
    """Saved full outputs are only useful while their session is fresh; drop those older than `max_age`."""
    folder = paths.tool_output_dir()
    if not folder.is_dir():
        return
    cutoff = time.time() - max_age
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
