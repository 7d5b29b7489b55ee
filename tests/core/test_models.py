"""Records: every part and message kind survives a JSON round trip through its discriminated union."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    Message,
    MessageError,
    MessageWithParts,
    Part,
    ReasoningPart,
    Session,
    StepFinishPart,
    StepStartPart,
    TextPart,
    TokenUsage,
    ToolPart,
    ToolState,
    UserMessage,
)

PARTS = TypeAdapter(Part)
MESSAGES = TypeAdapter(Message)
IDS = {"session_id": "ses_1", "message_id": "msg_1"}


def every_part() -> list[Part]:
    return [
        TextPart(**IDS, text="hello", time_start=1, time_end=2),
        ReasoningPart(**IDS, text="thinking…", time_start=1),
        ToolPart(
            **IDS,
            call_id="call_9",
            tool="read",
            state=ToolState(
                status="completed",
                input={"path": "a.py", "offset": 3},
                output="1: x = 1",
                title="a.py",
                metadata={"lines": 1},
                time_start=5,
                time_end=6,
            ),
        ),
        StepStartPart(**IDS),
        StepFinishPart(
            **IDS, tokens=TokenUsage(input=10, output=5, reasoning=2, cache_read=3, cache_write=1),
            cost=Decimal("0.000123"), finish_reason="stop",
        ),
        FilePart(**IDS, mime="image/png", filename="x.png", url="file:///tmp/x.png"),
    ]


@pytest.mark.parametrize("part", every_part(), ids=lambda p: p.type)
def test_part_round_trip_through_union(part: Part) -> None:
    restored = PARTS.validate_json(part.model_dump_json())
    assert type(restored) is type(part)
    assert restored == part


def test_part_ids_ascend_in_creation_order() -> None:
    made = [TextPart(**IDS) for _ in range(500)]
    assert [p.id for p in made] == sorted(p.id for p in made)
    assert all(p.id.startswith("prt_") for p in made)


def test_unknown_part_type_is_rejected() -> None:
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        PARTS.validate_python({**IDS, "type": "video"})


def test_tool_state_defaults_to_pending_and_rejects_unknown_status() -> None:
    part = ToolPart(**IDS, call_id="c", tool="bash")
    assert part.state.status == "pending"
    assert part.state.input == {}
    with pytest.raises(ValidationError):
        ToolState(status="exploded")


def test_tool_part_state_transitions_survive_round_trip() -> None:
    part = ToolPart(**IDS, call_id="c", tool="bash", state=ToolState(status="running", input={"command": "ls"}))
    part.state = ToolState(status="error", input=part.state.input, error="exit 1", time_start=1, time_end=2)
    restored = PARTS.validate_json(part.model_dump_json())
    assert isinstance(restored, ToolPart)
    assert restored.state.status == "error" and restored.state.error == "exit 1"


def test_messages_round_trip_through_union() -> None:
    user = UserMessage(session_id="ses_1")
    assistant = AssistantMessage(
        session_id="ses_1", provider="anthropic", model="claude-x",
        tokens=TokenUsage(input=100, output=20, reasoning=5, cache_read=50, cache_write=7),
        cost=Decimal("0.0042"), summary=True, parent_id=user.id,
        error=MessageError(kind="aborted", message="Stopped by the user"),
    )
    assistant.time.completed = assistant.time.created + 10
    for message in (user, assistant):
        restored = MESSAGES.validate_json(message.model_dump_json())
        assert type(restored) is type(message)
        assert restored == message
    restored = MESSAGES.validate_json(assistant.model_dump_json())
    assert isinstance(restored, AssistantMessage)
    assert restored.cost == Decimal("0.0042")  # exact, not a float
    assert restored.tokens.cache_write == 7 and restored.summary is True
    assert restored.error is not None and restored.error.kind == "aborted"


def test_assistant_message_needs_provider_and_model() -> None:
    with pytest.raises(ValidationError) as info:
        MESSAGES.validate_python({"role": "assistant", "session_id": "ses_1"})
    missing = {err["loc"][-1] for err in info.value.errors()}
    assert missing == {"provider", "model"}


def test_message_ids_ascend_and_session_ids_descend() -> None:
    messages = [UserMessage(session_id="s") for _ in range(300)]
    assert [m.id for m in messages] == sorted(m.id for m in messages)
    sessions = [Session(project_id="p", directory="/x") for _ in range(300)]
    assert [s.id for s in sessions] == sorted((s.id for s in sessions), reverse=True)
    assert sessions[0].id.startswith("ses_")


def test_session_round_trip_and_defaults() -> None:
    session = Session(project_id="prj_1", directory="/work", cost=Decimal("1.5"), model="openai/gpt-x")
    assert session.title == "New session"
    assert session.parent_id is None
    assert session.time.created <= session.time.updated
    assert Session.model_validate_json(session.model_dump_json()) == session


def test_records_written_by_a_newer_version_still_load() -> None:
    # Extra fields from a future version are ignored rather than making old data unreadable.
    data = TextPart(**IDS, text="x").model_dump() | {"new_field": 1}
    assert PARTS.validate_python(data).text == "x"


def test_token_usage_sum_and_total() -> None:
    a = TokenUsage(input=1, output=2, reasoning=3, cache_read=4, cache_write=5)
    b = TokenUsage(input=10, output=20, reasoning=30, cache_read=40, cache_write=50)
    assert a + b == TokenUsage(input=11, output=22, reasoning=33, cache_read=44, cache_write=55)
    assert (a + b).total == 165


def test_message_with_parts_text_joins_only_text_parts() -> None:
    message = UserMessage(session_id="ses_1")
    ids = {"session_id": "ses_1", "message_id": message.id}
    bundle = MessageWithParts(
        info=message,
        parts=[
            TextPart(**ids, text="first"),
            ReasoningPart(**ids, text="hidden"),
            TextPart(**ids, text=""),
            ToolPart(**ids, call_id="c", tool="ls"),
            TextPart(**ids, text="second"),
        ],
    )
    assert bundle.text() == "first\nsecond"
    restored = MessageWithParts.model_validate_json(bundle.model_dump_json())
    assert [type(p) for p in restored.parts] == [type(p) for p in bundle.parts]
