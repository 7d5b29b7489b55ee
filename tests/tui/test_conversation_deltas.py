"""The transcript's copy of a streaming part: built from deltas, and caught up when it started mid-part."""

from __future__ import annotations

from agent_tui.core.events import MessageUpdated, PartDelta, PartUpdated
from agent_tui.core.models import AssistantMessage, MessageWithParts, TextPart
from agent_tui.testing.streamed_events import streamed
from agent_tui.tui.transcript.blocks import TextBlock
from agent_tui.tui.transcript.conversation import Conversation

S, M = "ses_1", "msg_1"


def _reply() -> tuple[AssistantMessage, TextPart]:
    message = AssistantMessage(id=M, session_id=S, provider="p", model="m")
    return message, TextPart(id="prt_1", session_id=S, message_id=M, time_start=1)


def _delta(text: str, offset: int) -> PartDelta:
    return PartDelta(session_id=S, message_id=M, part_id="prt_1", part_type="text", delta=text, offset=offset)


def _shown(conversation: Conversation) -> str:
    block = conversation.messages[M].block_for_part("prt_1")
    assert isinstance(block, TextBlock)
    return block.part.text


def test_deltas_build_the_text_of_the_block() -> None:
    message, part = _reply()
    conversation = Conversation()
    conversation.apply(MessageUpdated(message=message))
    pieces = [f"word{n} " for n in range(50)]
    for event in streamed(part, pieces):
        conversation.apply(event)
        conversation.blocks()  # as the widget does when the block list changes
    assert _shown(conversation) == "".join(pieces)


def test_a_log_opened_mid_part_skips_what_it_has_and_waits_for_the_whole_part_after_a_gap() -> None:
    message, part = _reply()
    conversation = Conversation()
    # Opened from storage while the part streams: the stored text is a little behind the engine's.
    conversation.load([MessageWithParts(info=message, parts=[part.model_copy(update={"text": "Hello wor"})])])
    assert conversation.apply(_delta("Hello", 0)) == ([], False)  # queued before the load: already in it
    conversation.apply(_delta(" world", 5))  # overlaps: only the missing end is added
    assert _shown(conversation) == "Hello world"
    assert conversation.apply(_delta("again", 30)) == ([], False)  # text before it is missing: not guessed
    assert _shown(conversation) == "Hello world"
    whole = part.model_copy(update={"text": "Hello world, and more, then again"})
    conversation.apply(PartUpdated(part=whole))  # the next coalesced write publishes the whole part
    conversation.apply(_delta("!", len(whole.text)))
    assert _shown(conversation) == "Hello world, and more, then again!"


def test_deltas_of_unknown_parts_or_other_sessions_change_nothing() -> None:
    message, _ = _reply()
    conversation = Conversation()
    conversation.apply(MessageUpdated(message=message))
    assert conversation.apply(_delta("x", 0)) == ([], False)
    other = PartDelta(session_id="ses_other", message_id=M, part_id="prt_1", part_type="text", delta="x", offset=0)
    assert conversation.apply(other) is None
