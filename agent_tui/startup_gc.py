"""Start-up with the cyclic garbage collector paused until the first frame (policy: `agent_tui.core.collector`).

Between launch and the first frame Python loads about 800 modules and builds their classes and pydantic schemas:
hundreds of thousands of long-lived objects and almost no garbage. The collector, triggered by that growth,
walks all of them again in every full pass: about a sixth of the CPU before the first frame. `pause()` switches
it off at launch; `resume()`, after the first frame, freezes every object alive (later passes skip them) and
switches it back on, unless another pause (litellm's import) is still on.
"""

from __future__ import annotations

from agent_tui.core import collector
from agent_tui.core.collector import YOUNG_THRESHOLD, collect_less_often

__all__ = ["YOUNG_THRESHOLD", "collect_less_often", "pause", "paused", "resume"]

REASON = "startup"


def pause() -> None:
    """Switch the collector off until `resume()`."""
    collector.pause(REASON)


def resume() -> None:
    """Freeze what is alive and end the start-up's pause, if `pause()` made one (else nothing)."""
    collector.resume(REASON)


def paused() -> bool:
    return REASON in collector.active_pauses()
