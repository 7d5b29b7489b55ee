"""`agent-tui run --format json`: a streamed reply's lines stay the size of their delta, not of the reply."""

from __future__ import annotations

import io
import json

from agent_tui.core.events import PartUpdated
from agent_tui.core.models import TextPart
from agent_tui.headless import _Printer


def test_streaming_lines_carry_the_delta_and_the_closing_line_the_whole_text():
    out = io.StringIO()
    printer = _Printer("ses_1", "json", out, io.StringIO())
    part = TextPart(session_id="ses_1", message_id="msg_1")
    pieces = [f"word{i} " for i in range(2_000)]
    for piece in pieces:
        part.text += piece
        printer(PartUpdated(part=part.model_copy(), delta=piece))
    part.time_end = 1
    printer(PartUpdated(part=part.model_copy()))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2_001
    events = [json.loads(line) for line in lines]
    assert "".join(e["delta"] for e in events[:-1]) == part.text
    assert all("text" not in e["part"] for e in events[:-1])
    assert max(len(line) for line in lines[:-1]) < 400  # was as long as the reply so far
    assert events[-1]["part"]["text"] == part.text and events[-1]["delta"] is None
