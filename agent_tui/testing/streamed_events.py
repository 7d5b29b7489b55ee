"""The bus events of text streaming into a part, as the engine's record writer publishes them: the part (empty)
before its first delta, then one `PartDelta` per piece. For front-end tests and benchmarks that feed a
transcript without a model."""

from __future__ import annotations

from agent_tui.core.events import Event, PartDelta, PartUpdated
from agent_tui.core.models import ReasoningPart, TextPart


def streamed(part: TextPart | ReasoningPart, pieces: list[str]) -> list[Event]:
    """`part` (its own text is ignored) streamed as `pieces`; its ending event is the caller's."""
    events: list[Event] = [PartUpdated(part=part.model_copy(update={"text": ""}))]
    offset = 0
    for piece in pieces:
        events.append(PartDelta(session_id=part.session_id, message_id=part.message_id, part_id=part.id,
                                part_type=part.type, delta=piece, offset=offset))
        offset += len(piece)
    return events
