"""Text from a model, a tool or a file made safe to show on a terminal: control characters become visible escapes.

Stored tool output can hold anything a command printed: `ESC ]52;…` writes the clipboard, `ESC [2J` clears the
screen, `ESC ]0;…` renames the window, BEL rings, NUL and C1 codes confuse terminals. None of it may reach the
terminal raw. Newline and tab are kept; every other C0 code, DEL, the C1 range and the bidirectional overrides
(which can make shown code differ from the code that runs) are replaced by `\\xNN` / `\\uNNNN`. Every front end
(headless printing, `sessions show`, the TUI) uses this one function.
"""

from __future__ import annotations

import re

_KEPT = "\n\t"
_CONTROLS = re.compile(
    "[" + "".join(chr(c) for c in range(0x20) if chr(c) not in _KEPT) + "\x7f-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"  # and lone surrogates (undecodable bytes)
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as Python escapes it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with control characters shown as escapes (newline and tab kept)."""
    if text.isprintable() or not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(_escape, text.replace("\r\n", "\n"))


def has_controls(text: str) -> bool:
    return not text.isprintable() and _CONTROLS.search(text) is not None
