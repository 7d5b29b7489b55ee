"""Time-ordered identifiers: `prefix_` + 16 hex digits of time and counter + 14 random characters.

Ascending ids sort in creation order as strings, even for many ids made in the same millisecond (a per-process
counter fills the low bits). Descending ids invert the time part so that the newest sorts first.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from typing import Literal

Prefix = Literal["ses", "msg", "prt", "per", "call", "tool"]

_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LEN = 14
_COUNTER_BITS = 12
_TIME_MASK = (1 << 64) - 1
_HEX = 16

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def _next_stamp() -> int:
    """Return a 64-bit value that strictly increases within this process."""
    global _last_ms, _counter
    with _lock:
        now = time.time_ns() // 1_000_000
        if now > _last_ms:
            _last_ms, _counter = now, 0
        else:
            _counter += 1
            if _counter >= 1 << _COUNTER_BITS:
                # More than 4096 ids in one millisecond: borrow the next millisecond so order holds.
                _last_ms, _counter = _last_ms + 1, 0
        return ((_last_ms << _COUNTER_BITS) | _counter) & _TIME_MASK


def _random_part() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LEN))


def ascending(prefix: str) -> str:
    return f"{prefix}_{_next_stamp():016x}{_random_part()}"


def descending(prefix: str) -> str:
    return f"{prefix}_{(~_next_stamp()) & _TIME_MASK:016x}{_random_part()}"


def timestamp_ms(identifier: str, *, descending_id: bool = False) -> int:
    """Recover the creation time (ms since the epoch) encoded in an id."""
    stamp = int(identifier.split("_", 1)[1][:_HEX], 16)
    if descending_id:
        stamp = (~stamp) & _TIME_MASK
    return stamp >> _COUNTER_BITS
