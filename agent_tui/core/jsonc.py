"""JSON with comments: `//` and `/* */` comments and trailing commas are removed before parsing.

Removed text is replaced by spaces (newlines kept) so that the decoder's line and column numbers still point
at the right place in the user's file.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def strip_comments(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _drop_trailing_commas(text: str) -> str:
    # Only outside strings: split on string literals and rewrite the gaps between them.
    parts = re.split(r'("(?:\\.|[^"\\])*")', text)
    return "".join(p if k % 2 else _TRAILING_COMMA.sub(r" \1", p) for k, p in enumerate(parts))


def loads(text: str) -> Any:
    """Parse JSONC. Raises `json.JSONDecodeError` with positions in the original text."""
    return json.loads(_drop_trailing_commas(strip_comments(text)))
