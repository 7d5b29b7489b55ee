"""Every built-in tool end to end: the scripted model asks, the tool runs for real, the result goes back in
the next request. Permissions ask/allow/deny through the service."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent_tui.core.events import PermissionAsked
from agent_tui.core.models import ToolPart
from agent_tui.testing.fake_llm import Reply, text, tool_call


def results_of(request) -> dict[str, str]:
    return {m["tool_call_id"]: m["content"] for m in request.messages if m["role"] == "tool"}


def tool_parts(svc, session_id: str) -> dict[str, ToolPart]:
    return {p.call_id: p for m in svc.messages(session_id) for p in m.parts if isinstance(p, ToolPart)}


@pytest.fixture
def web_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><body><h1>Docs</h1><p>Use <b>retries</b>.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/docs"
    server.shutdown()


async def test_every_builtin_tool_through_the_service(make_service, llm, project_dir: Path, web_server: str):
    patch = "\n".join([
        "*** Begin Patch", "*** Add File: pkg/util.py", "+def double(x):", "+    return 2 * x",
        "*** Update File: hello.py", "@@", "-print('hello')", "+print('hello, world')", "*** End Patch",
    ])
    llm.add(Reply.of(
        tool_call("write", {"file_path": "notes.md", "content": "alpha\nbeta\n"}, id="write"),
        tool_call("read", {"file_path": "hello.py"}, id="read"),
        tool_call("bash", {"command": "echo from-bash && echo err >&2", "description": "say hi"}, id="bash"),
        tool_call("ls", {}, id="ls"),
        tool_call("todowrite", {"todos": [{"content": "ship it", "status": "in_progress"}]}, id="todowrite"),
        tool_call("webfetch", {"url": web_server, "format": "markdown"}, id="webfetch"),
    ))
    llm.add(Reply.of(
        tool_call("read", {"file_path": "notes.md"}, id="read2"),
        tool_call("patch", {"patch_text": patch}, id="patch"),
        tool_call("todoread", {}, id="todoread"),
    ))
    llm.add(Reply.of(
        tool_call("edit", {"file_path": "notes.md", "old_string": "beta", "new_string": "gamma"}, id="edit"),
        tool_call("glob", {"pattern": "**/*.py"}, id="glob"),
        tool_call("grep", {"pattern": "def double"}, id="grep"),
    ))
    llm.add(Reply.of(
        tool_call("multiedit", {"file_path": "notes.md", "edits": [
            {"old_string": "alpha", "new_string": "ALPHA"}, {"old_string": "gamma", "new_string": "GAMMA"}]},
            id="multiedit"),
        tool_call("task", {"description": "count files", "prompt": "How many .py files?"}, id="task"),
    ))
    llm.add(Reply.of(text("There are 2.")))  # the sub-agent's reply
    llm.add(Reply.of(text("All done.")))
    svc = make_service(webfetch={"allow_private": True})  # the page is served on 127.0.0.1
    session = svc.create(title="tools")
    reply = await svc.chat(session.id, "exercise every tool")
    assert reply.error is None, reply.error

    r = {}
    for request in llm.requests:
        r.update(results_of(request))
    assert "notes.md" in r["write"] and (project_dir / "notes.md").exists()
    assert "print('hello')" in r["read"]
    assert "from-bash" in r["bash"] and "err" in r["bash"]
    assert "hello.py" in r["ls"]
    assert "ship it" in r["todowrite"] and svc.get_todos(session.id)[0].content == "ship it"
    assert "# Docs" in r["webfetch"] and "**retries**" in r["webfetch"]
    assert "alpha" in r["read2"]
    assert (project_dir / "pkg" / "util.py").read_text() == "def double(x):\n    return 2 * x\n"
    assert (project_dir / "hello.py").read_text() == "print('hello, world')\n"
    assert "ship it" in r["todoread"]
    assert "pkg/util.py" in r["glob"] and "hello.py" in r["glob"]
    assert "util.py" in r["grep"]
    assert (project_dir / "notes.md").read_text() == "ALPHA\nGAMMA\n"
    assert "There are 2." in r["task"]
    parts = tool_parts(svc, session.id)
    assert parts["bash"].state.metadata.get("exit_code") == 0
    assert "diff" in parts["edit"].state.metadata
    assert all(p.state.status == "completed" for p in parts.values()), {
        k: p.state.error for k, p in parts.items() if p.state.status != "completed"}
    # The sub-agent ran in a child session without the task tool.
    child_id = parts["task"].state.metadata["session_id"]
    child = svc.get(child_id)
    assert child.parent_id == session.id
    child_request = next(req for req in llm.requests if req.messages[-1].get("content") == "How many .py files?")
    assert "task" not in [t["function"]["name"] for t in child_request.tools]
    assert child_id not in [s.id for s in svc.list()]  # sub-agent sessions are not listed


async def test_permission_ask_once_and_reject_with_message(make_service, llm, project_dir: Path):
    (project_dir / "victim").mkdir()
    llm.add(Reply.of(tool_call("bash", {"command": "rm -rf victim"}, id="rm1")))
    llm.add(Reply.of(tool_call("bash", {"command": "rm -rf victim"}, id="rm2")))
    llm.add(Reply.of(text("ok")))
    svc = make_service()
    asked: list[PermissionAsked] = []

    def answer(event: PermissionAsked) -> None:
        asked.append(event)
        reply = "reject" if len(asked) == 1 else "once"
        asyncio.get_running_loop().call_soon(svc.permissions.reply, event.id, reply,
                                             "not that folder" if reply == "reject" else None)

    svc.bus.subscribe(PermissionAsked, answer)
    session = svc.create(title="perm")
    await svc.chat(session.id, "clean up")
    assert len(asked) == 2 and asked[0].permission == "bash" and "rm -rf victim" in asked[0].title + str(
        asked[0].metadata) + str(asked[0].pattern)
    first = results_of(llm.requests[1])["rm1"]
    assert "not that folder" in first
    assert not (project_dir / "victim").exists()  # the second ask was allowed once


async def test_headless_reject_mode_explains_how_to_allow(make_service, llm, project_dir: Path):
    outside = project_dir.parent / "outside.txt"
    outside.write_text("secret")
    llm.add(Reply.of(tool_call("read", {"file_path": str(outside)}, id="r1")))
    llm.add(Reply.of(text("ok")))
    svc = make_service(permission_mode="reject")
    await svc.chat(svc.create(title="x").id, "read outside")
    result = results_of(llm.requests[1])["r1"]
    assert "secret" not in result and "--yes" in result


async def test_config_deny_is_final(make_service, llm, project_dir: Path):
    llm.add(Reply.of(tool_call("write", {"file_path": "x.txt", "content": "x"}, id="w")))
    llm.add(Reply.of(text("ok")))
    svc = make_service(permission={"edit": "deny"}, permission_mode="approve")
    await svc.chat(svc.create(title="x").id, "write")
    assert not (project_dir / "x.txt").exists()
    assert "Error" in results_of(llm.requests[1])["w"]


async def test_abort_answers_pending_permission_with_no(make_service, llm, project_dir: Path):
    (project_dir / "victim").mkdir()
    llm.add(Reply.of(tool_call("bash", {"command": "rm -rf victim"}, id="rm")))
    svc = make_service()
    session = svc.create(title="x")
    asked = asyncio.Event()
    svc.bus.subscribe(PermissionAsked, lambda e: asked.set())
    task = asyncio.create_task(svc.chat(session.id, "clean"))
    await asyncio.wait_for(asked.wait(), 60)
    assert svc.permissions.pending(session.id)
    svc.abort(session.id)
    reply = await asyncio.wait_for(task, 60)
    assert reply.error.kind == "aborted"
    assert (project_dir / "victim").exists()
    assert not svc.permissions.pending(session.id)
    assert json.dumps(tool_parts(svc, session.id)["rm"].state.status) == '"error"'
