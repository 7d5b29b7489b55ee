"""Text the engine adds to a user message (synthetic parts: a custom command's expansion, a `!command`'s
context) is not the message's visible text; a Markdown export shows it folded, apart from what was typed."""

from __future__ import annotations

from agent_tui.core.models import MessageWithParts, Session, TextPart, UserMessage
from agent_tui.core.session.export import to_markdown


def _custom_command_message() -> tuple[Session, MessageWithParts]:
    session = Session(project_id="p", directory="/tmp/p", title="Review")
    user = UserMessage(session_id=session.id)
    parts = [TextPart(session_id=session.id, message_id=user.id, text="/review a.py"),
             TextPart(session_id=session.id, message_id=user.id, text="Review a.py closely.", synthetic=True)]
    return session, MessageWithParts(info=user, parts=parts)


def test_text_leaves_out_what_the_engine_added() -> None:
    _session, message = _custom_command_message()
    assert message.text() == "/review a.py"


def test_markdown_export_folds_what_the_engine_added_after_the_typed_text() -> None:
    session, message = _custom_command_message()
    exported = to_markdown(session, [message])
    typed = exported.index("/review a.py")
    folded = exported.index("<details><summary>Sent to the model with it</summary>")
    assert typed < folded < exported.index("Review a.py closely.")
