"""Scripted turns for the undo and snapshot tests: the model calls real tools that change real files."""

from __future__ import annotations

from agent_tui.testing.fake_llm import Reply, text, tool_call


def bash(command: str, id: str):
    return tool_call("bash", {"command": command, "description": "change files"}, id=id)


def write(path: str, content: str, id: str):
    return tool_call("write", {"file_path": path, "content": content}, id=id)


async def turn(svc, llm, session_id: str, prompt: str, *calls) -> None:
    """One turn: the model makes `calls` (if any), then says it is done; the reply must carry no error."""
    if calls:
        llm.add(Reply.of(*calls))
    llm.add(Reply.of(text("Done.")))
    reply = await svc.chat(session_id, prompt)
    assert reply.error is None, reply.error
