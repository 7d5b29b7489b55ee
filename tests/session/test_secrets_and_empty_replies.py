"""Known API keys never reach storage through tool output; an empty reply is reported, not silent."""

from __future__ import annotations

from agent_tui.core.models import ToolPart
from agent_tui.testing.fake_llm import Reply, reasoning, text, tool_call

SECRET = "sk-test-this-value-must-never-be-stored-1234"


async def test_known_keys_are_hidden_in_tool_output(make_service, llm, monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_SERVICE_API_KEY", SECRET)
    llm.add(Reply.of(tool_call("bash", {"command": "echo key=$SOME_SERVICE_API_KEY"}, id="b")))
    llm.add(Reply.of(text("done")))
    svc = make_service()
    session = svc.create(title="x")
    await svc.chat(session.id, "print the key")
    part = next(p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart))
    assert "key=[REDACTED]" in (part.state.output or "")
    assert SECRET not in str(part.state.metadata)
    assert SECRET not in str(llm.requests[1].messages)
    db = (tmp_path / "db" / "agent-tui.db").read_bytes() + b"".join(
        p.read_bytes() for p in (tmp_path / "db").glob("*-wal"))
    assert SECRET.encode() not in db


async def test_ordinary_code_mentioning_keys_is_not_changed(make_service, llm, project_dir):
    (project_dir / "settings.py").write_text('api_key = os.environ["OPENAI_API_KEY"]\ntoken: str = "abcdefgh12"\n')
    llm.add(Reply.of(tool_call("read", {"file_path": "settings.py"}, id="r")))
    llm.add(Reply.of(text("ok")))
    svc = make_service()
    await svc.chat(svc.create(title="x").id, "read settings")
    sent = next(m["content"] for m in llm.requests[1].messages if m["role"] == "tool")
    assert 'token: str = "abcdefgh12"' in sent and 'api_key = os.environ["OPENAI_API_KEY"]' in sent


async def test_an_empty_reply_is_an_error_the_user_sees(make_service, llm):
    llm.add(Reply.of(reasoning("thinking only")))
    svc = make_service()
    reply = await svc.chat(svc.create(title="x").id, "hello?")
    assert reply.error is not None and "empty reply" in reply.error.message


async def test_a_reply_with_text_is_not_empty(make_service, llm):
    llm.add(Reply.of(text("  \n"), text("Hi")))
    svc = make_service()
    assert (await svc.chat(svc.create(title="x").id, "hello?")).error is None
