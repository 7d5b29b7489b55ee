"""`!command`: the user's shell command runs in the project through the bash tool and is context for the model."""

from __future__ import annotations

import asyncio
import os

from agent_tui.core.models import TextPart, ToolPart, UserMessage
from agent_tui.testing.fake_llm import Reply, text


async def test_shell_output_is_stored_and_sent_with_the_next_message(make_service, llm, project_dir, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")  # a key value never reaches storage
    service = make_service()
    session = service.create()
    message = await service.shell(session.id, "ls; echo $OPENAI_API_KEY; exit 3")

    assert isinstance(message.info, UserMessage)
    stored = service.messages(session.id)[-1]
    tool = next(p for p in stored.parts if isinstance(p, ToolPart))
    assert tool.tool == "bash" and tool.state.status == "completed" and tool.state.metadata["shell"] is True
    assert "hello.py" in (tool.state.output or "") and "Exit code 3." in (tool.state.output or "")
    assert "sk-secret-value-123" not in stored.model_dump_json()
    note = next(p for p in stored.parts if isinstance(p, TextPart))
    assert note.synthetic and "$ ls; echo" in note.text and "exit code 3" in note.text

    llm.add(Reply.of(text("I see hello.py.")))
    await service.chat(session.id, "what files are there?")
    sent = str(llm.requests[-1].messages)
    assert "hello.py" in sent and "The user ran this shell command" in sent and "what files are there?" in sent


async def test_abort_kills_the_command_and_its_children(make_service, project_dir):
    service = make_service()
    session = service.create()
    task = asyncio.ensure_future(service.shell(session.id, "sleep 60 & echo $! > child.pid; wait"))
    for _ in range(6000):  # up to 60 s, for a loaded machine
        if (project_dir / "child.pid").exists() and (project_dir / "child.pid").read_text().strip():
            break
        await asyncio.sleep(0.01)
    child = int((project_dir / "child.pid").read_text())
    assert service.is_busy(session.id)
    assert service.abort(session.id)
    message = await asyncio.wait_for(task, 60)
    tool = next(p for p in message.parts if isinstance(p, ToolPart))
    assert tool.state.status == "error" and tool.state.error == "Stopped."
    assert not service.is_busy(session.id)
    for _ in range(1500):  # up to 30 s
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the background child survived the abort")
