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


def paused() -> bool:
    return _paused
