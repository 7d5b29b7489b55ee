"""How long the message log waits between two frames while changes keep arriving.

A frame costs the log's own render plus Textual's repaint of the changed lines, so the spacing decides most of
the CPU a streaming reply takes. The end of a part or of a reply is drawn at once, whatever the pace, so a slower
pace does not delay the last words.
"""

from __future__ import annotations

FRAME_SECONDS = 1 / 20  # 20 renders a second read as smooth streaming and cost a third less than 30
# Once a reply has streamed for LONG_REPLY_MS, 15 a second: a quarter fewer frames for the replies that cost the
# most (a long answer keeps the view scrolling), still smooth to read.
STREAM_FRAME_SECONDS = 1 / 15
LONG_REPLY_MS = 1_000
MAX_FRAME_SECONDS = 0.25
COST_SPACING = 16  # wait at least this many times the last render's cost (Textual's repaint costs as much again)


class FramePace:
    """The least time between two frames, from whether a reply is streaming, for how long, and the last cost."""

    def __init__(self) -> None:
        self._reply: str | None = None  # the reply streaming when last asked
        self._reply_since = 0  # ms on the log's clock when that reply was first seen

    def spacing(self, *, live_reply: str | None, now_ms: int, last_cost: float) -> float:
        """Seconds from the last frame to the next one. `live_reply`: the id of the reply being written, if any;
        `last_cost`: seconds the last incremental frame took (an expensive render, e.g. a long unfinished block,
        is spaced out so that it stays a small share of a core)."""
        frame = self.frame_seconds(live_reply=live_reply, now_ms=now_ms)
        return min(MAX_FRAME_SECONDS, max(frame, last_cost * COST_SPACING))

    def frame_seconds(self, *, live_reply: str | None, now_ms: int) -> float:
        if live_reply != self._reply:
            self._reply, self._reply_since = live_reply, now_ms
        if live_reply is not None and now_ms - self._reply_since >= LONG_REPLY_MS:
            return STREAM_FRAME_SECONDS
        return FRAME_SECONDS
