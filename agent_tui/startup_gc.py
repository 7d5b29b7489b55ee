"""Start-up with the cyclic garbage collector paused, then everything loaded frozen out of its reach.

Between launch and the first frame Python loads about 800 modules and builds their classes and pydantic schemas:
hundreds of thousands of long-lived objects and almost no garbage. The collector, triggered by that growth,
walks all of them again in every full pass: about a sixth of the CPU before the first frame. `pause()` switches
it off at launch; `resume()`, after the first frame, moves every object alive into the permanent generation
(`gc.freeze`, which later passes skip) and switches it back on. The cost is the start-up's own reference cycles,
which stay in memory: a few thousand objects. Reference counting, which frees nearly everything, is unaffected.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_paused = False


def pause() -> None:
    """Switch the collector off until `resume()`, if it is on."""
    global _paused
    with _lock:
        if gc.isenabled():
            gc.disable()
            _paused = True


def resume() -> None:
    """Freeze what is alive and switch the collector back on, if `pause()` switched it off (else nothing)."""
    global _paused
    with _lock:
        if _paused:
            _paused = False
            gc.freeze()
            gc.enable()


# A streaming reply allocates a few thousand short-lived containers per frame (Textual's Strips hold seven
# caches each), so the default young-generation threshold of 700 ran ~30 collections a second, and every tenth
# pass walked the older generation too: 0.5-0.8 s of collector time per 3,000-chunk paced reply here, 0.2 s
# with 10,000. Garbage cycles wait a little longer (a few MB at most); reference counting is unaffected.
YOUNG_THRESHOLD = 10_000


def collect_less_often() -> None:
    """Raise the young generation's threshold (the TUI calls this once its first frame is up)."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)


def paused() -> bool:
    return _paused
