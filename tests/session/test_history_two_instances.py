"""The parsed history a step sends (Storage.history, kept between steps) stays right when two agent-tui instances
share one database: each sends the turns and edits the other stored (seen through SQLite's data_version)."""

from __future__ import annotations

from agent_tui.core.tools.base import ToolRegistry
from agent_tui.testing.fake_llm import Reply, text


def sent_texts(request) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m.get("content")) for m in request.messages if m["role"] in ("user", "assistant")]


async def test_two_instances_taking_turns_each_send_the_others_turns(make_service, llm):
    ours = make_service(tools=ToolRegistry([]))
    theirs = make_service(tools=ToolRegistry([]))  # another Storage connection on the same file
    session = ours.create(title="shared")
    for reply in ("one", "two", "three", "four"):
        llm.add(Reply.of(text(reply)))
    await ours.chat(session.id, "ours first")  # fills our cache
    await theirs.chat(session.id, "theirs second")
    await ours.chat(session.id, "ours third")
    assert sent_texts(llm.requests[-1]) == ["ours first", "one", "theirs second", "two", "ours third"]
    await theirs.chat(session.id, "theirs fourth")
    assert sent_texts(llm.requests[-1]) == ["ours first", "one", "theirs second", "two", "ours third", "three",
                                            "theirs fourth"]


async def test_a_renamed_message_by_the_other_instance_is_what_the_next_step_sends(make_service, llm):
    ours = make_service(tools=ToolRegistry([]))
    theirs = make_service(tools=ToolRegistry([]))
    session = ours.create(title="shared")
    llm.add(Reply.of(text("one")))
    llm.add(Reply.of(text("two")))
    await ours.chat(session.id, "first question")
    # The other instance changes a stored part in place (as an edit, a fork's repair or an undo would).
    (user, _) = theirs.storage.list_messages(session.id)
    part = user.parts[0]
    part.text = "the question as edited elsewhere"  # type: ignore[union-attr]
    theirs.storage.put_part(part)
    await ours.chat(session.id, "second question")
    assert sent_texts(llm.requests[-1])[0] == "the question as edited elsewhere"
