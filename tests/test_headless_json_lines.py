"""`agent-tui run --format json`: a streamed reply's lines stay the size of their delta, not of the reply."""

from __future__ import annotations

import io
import json

from agent_tui.core.events import PartUpdated
from agent_tui.core.models import TextPart
from agent_tui.headless import _Printer
from agent_tui.testing.streamed_events import streamed


def test_streaming_lines_carry_the_delta_and_the_closing_line_the_whole_text():
    out = io.StringIO()
    printer = _Printer("ses_1", "json", out, io.StringIO())
    part = TextPart(session_id="ses_1", message_id="msg_1")
    pieces = [f"word{i} " for i in range(2_000)]
    events = streamed(part, pieces)
    # A coalesced write mid-stream publishes the whole part: its line leaves the text out too.
    events.insert(1_000, PartUpdated(part=part.model_copy(update={"text": "".join(pieces[:999])})))
    for event in events:
        printer(event)
    part.text = "".join(pieces)
    part.time_end = 1
    printer(PartUpdated(part=part.model_copy()))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2_003
    parsed = [json.loads(line) for line in lines]
    deltas = [e for e in parsed if e["type"] == "part.delta"]
    assert "".join(e["delta"] for e in deltas) == part.text
    assert [e["offset"] for e in deltas[:3]] == [0, len(pieces[0]), len(pieces[0]) + len(pieces[1])]
    assert parsed[0]["part"]["text"] == ""  # the part before its first delta
    assert "text" not in parsed[1_000]["part"]
    assert max(len(line) for line in lines[:-1]) < 400  # was as long as the reply so far
    assert parsed[-1]["part"]["text"] == part.text
