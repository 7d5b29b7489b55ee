"""The process's one policy for Python's cyclic garbage collector: pauses, freezes and when full passes run.

Reference counting frees nearly everything; the cyclic collector is only for garbage in reference cycles. Its cost
is in the full (oldest-generation) passes, which walk every live tracked object in one C call holding the
interpreter lock. Three things here keep that cost off the user's way:

- **Pauses** (`paused(reason)`): loading hundreds of thousands of long-lived objects (the start-up until the first
  frame, `import litellm`) with the collector off, then freezing them (`gc.freeze`: into the permanent generation,
  which passes skip). Pauses nest and may overlap across threads; the collector comes back on, in the state it
  was in before the first one, only when the last one ends.
- **Full passes at idle** (`defer_full_passes()` then `collect_at_idle()`): a front end with a UI switches off
  automatic full passes (young and middle generations still run on their own) and asks for one when it is idle,
  after a turn and on a slow timer. Such a pass reclaims every cycle made since the last one and then freezes
  the survivors, so the next pass walks only what came after: its cost follows the work since the last idle
  moment, not the session's length. Before, a full pass landed about every 3 s of streaming, mid-reply, and cost
  15 ms at the first reply and 139 ms at the fiftieth (benchmarks/README.md).
- **Deep passes**: an object frozen while alive that later becomes cyclic garbage would never be reclaimed. So
  when the objects frozen by idle passes exceed a quarter of what the last deep pass froze (CPython's own rule
  for its full passes), or DEEP_MINIMUM before the first, the next idle pass unfreezes everything and walks it
  all once (about 600,000 objects with litellm loaded, 620 more per reply here). Its cost grows with the heap
  but its interval grows with it too, so per reply it stays flat, and it only ever runs at idle.

No Textual here: front ends call in (the TUI from its turn end and idle timer).
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

# A streaming reply allocates a few thousand short-lived containers per frame (Textual's Strips hold seven
# caches each), so the default young-generation threshold of 700 ran ~30 collections a second. 10,000 cuts
# that to a few; garbage cycles wait a little longer (a few MB at most).
YOUNG_THRESHOLD = 10_000
# With full passes deferred, the oldest generation's threshold is set out of reach (a C int).
NEVER = 2**31 - 1
# A deep pass once the idle passes have frozen this share of what the last deep pass froze, and at least this many.
# It walks ~1M objects in the TUI (~0.5 s at load): at 50,000 it ran every ~20 replies (2,500 frozen per reply).
DEEP_SHARE = 0.25
DEEP_MINIMUM = 400_000

_lock = threading.RLock()
_pauses: Counter[str] = Counter()
_enabled_before_pause = False
_deferred_threshold: int | None = None  # the oldest generation's own threshold while full passes are deferred
# What the last deep pass froze (the start-up's and litellm's objects are not counted until the first one).
_frozen_long_lived = 0
_frozen_by_idle_passes = 0
_last_pass_at = time.monotonic()


@dataclass(frozen=True)
class IdlePass:
    """What one `collect_at_idle()` did."""

    collected: int  # unreachable objects found (garbage cycles and what hung from them)
    deep: bool  # whether frozen objects were walked again
    frozen: int  # objects this pass froze (all of them after a deep pass)


def pause(reason: str) -> None:
    """Switch the collector off until every pause has been resumed. Pauses with the same reason nest."""
    global _enabled_before_pause
    with _lock:
        if not _pauses:
            _enabled_before_pause = gc.isenabled()
            gc.disable()
        _pauses[reason] += 1


def resume(reason: str, *, freeze: bool = True) -> bool:
    """End one pause for `reason` (nothing if there is none); False when there was nothing to resume.

    With `freeze`, what is alive now goes into the permanent generation: what the pause loaded is long-lived.
    The collector comes back on only when the last pause ends, and only if it was on before the first.
    """
    with _lock:
        if not _pauses[reason]:
            del _pauses[reason]
            return False
        _pauses[reason] -= 1
        if not _pauses[reason]:
            del _pauses[reason]
        if freeze:
            freeze_long_lived()
        if not _pauses and _enabled_before_pause:
            gc.enable()
        return True


@contextlib.contextmanager
def paused(reason: str, *, freeze: bool = True) -> Iterator[None]:
    """The collector off for the block (see `pause`), then what it loaded frozen (see `resume`)."""
    pause(reason)
    try:
        yield
    finally:
        resume(reason, freeze=freeze)


def active_pauses() -> dict[str, int]:
    with _lock:
        return dict(_pauses)


def freeze_long_lived() -> None:
    """Freeze what is alive now, as objects that live as long as the process (a loaded library, the start-up)."""
    with _lock:
        gc.freeze()


def collect_less_often() -> None:
    """Raise the young generation's threshold (see YOUNG_THRESHOLD)."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)


def defer_full_passes() -> None:
    """Leave full passes to `collect_at_idle()`: young and middle generations still collect on their own."""
    global _deferred_threshold
    with _lock:
        young, middle, old = gc.get_threshold()
        if _deferred_threshold is None:
            _deferred_threshold = old
        gc.set_threshold(young, middle, NEVER)


def restore_full_passes() -> None:
    """Undo `defer_full_passes()` (a front end closing, or tests)."""
    global _deferred_threshold
    with _lock:
        if _deferred_threshold is None:
            return
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, _deferred_threshold)
        _deferred_threshold = None


def full_passes_deferred() -> bool:
    return _deferred_threshold is not None


def deep_pass_due() -> bool:
    """Whether idle passes have frozen enough that the next one walks everything again."""
    with _lock:
        return _frozen_by_idle_passes > max(DEEP_MINIMUM, _frozen_long_lived * DEEP_SHARE)


def collect_at_idle() -> IdlePass | None:
    """A full pass now, then the survivors frozen; None while a pause is on (a library is loading).

    Call it when nothing is streaming: after a turn, once the screen is updated. Most passes walk only what the
    last turn left (a few ms); a deep one (see the module's doc) walks everything, 100-400 ms here, about once
    in a hundred turns.
    """
    global _frozen_long_lived, _frozen_by_idle_passes, _last_pass_at
    with _lock:
        if _pauses:
            return None
        deep = deep_pass_due()
        if deep:
            gc.unfreeze()
        collected = gc.collect()
        # A full pass leaves every survivor in the oldest generation. (Not `gc.get_freeze_count()`: in 3.11 it
        # walks the whole permanent generation, ~80 ms for litellm's objects.)
        surviving = len(gc.get_objects(generation=2))
        gc.freeze()
        if deep or not _frozen_long_lived:
            # The first pass takes what start-up left unfrozen (everything, when no front end froze it).
            _frozen_long_lived, _frozen_by_idle_passes = surviving, 0
        else:
            _frozen_by_idle_passes += surviving
        _last_pass_at = time.monotonic()
        return IdlePass(collected=collected, deep=deep, frozen=surviving)


def seconds_since_idle_pass() -> float:
    """How long ago `collect_at_idle()` last ran (since this module loaded if never)."""
    return time.monotonic() - _last_pass_at
