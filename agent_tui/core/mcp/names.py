"""Tool names the model sees: `SERVER_TOOL`, restricted to what providers accept (`[a-zA-Z0-9_-]{1,64}`)."""

from __future__ import annotations

import re

MAX_LENGTH = 64
_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9_-]")


def sanitize(text: str) -> str:
    return _NOT_ALLOWED.sub("_", text)


def tool_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """The model-facing name of `tool` on `server`, unique among `taken` (a numeric suffix when needed)."""
    base = sanitize(f"{server}_{tool}")[:MAX_LENGTH] or "_"
    candidate, counter = base, 2
    while candidate in taken:
        suffix = f"_{counter}"
        candidate = base[: MAX_LENGTH - len(suffix)] + suffix
        counter += 1
    return candidate
