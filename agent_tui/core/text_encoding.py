"""Text that cannot be encoded as UTF-8, made storable: lone surrogates become visible escapes.

Python hands out file names that are not valid UTF-8 with "surrogate escapes" (the byte 0xe9 becomes the
character U+DCE9); JSON models of ours cannot be serialised with them (pydantic raises "surrogates not
allowed"). At the tool boundary every such character becomes `\\xe9` (an escaped byte) or `\\udXXX` (any other
lone surrogate), so names are shown, stored and sent to the model in a form it can send back:
`ToolContext.resolve` maps `\\xNN` back to the byte when the escaped name is what exists on disk.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile(r"\\x([89a-fA-F][0-9a-fA-F])")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_surrogates(value: Any) -> Any:
    """`value` (a string, or strings inside dicts and lists) with lone surrogates escaped."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub(_escape, value)
        return value
    if isinstance(value, dict):
        return {escape_surrogates(k): escape_surrogates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_surrogates(v) for v in value]
    return value


def unescape_bytes(text: str) -> str | None:
    """`text` with `\\xNN` (NN >= 80) turned back into the surrogate-escaped byte, or None if it has none."""
    if "\\x" not in text:
        return None
    restored = _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), text)
    return restored if restored != text else None
