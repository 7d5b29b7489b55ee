"""Pure parts of the ACP front end: the wire checks, version negotiation, diffs, prompts, and its import contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from acp.schema import EmbeddedResourceContentBlock, ResourceContentBlock, TextContentBlock, TextResourceContents

from agent_tui.acp.agent import negotiate
from agent_tui.acp.channel import problem
from agent_tui.acp.prompt_input import prompt_input
from agent_tui.acp.updates import diff_content, diff_sides, tool_locations
from agent_tui.core.models import ToolPart, ToolState
from agent_tui.core.tools.diff import unified_diff


def test_problem_names_what_is_wrong_with_a_message():
    assert problem({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}) is None
    assert problem({"jsonrpc": "2.0", "method": "session/cancel", "params": {"sessionId": "s"}}) is None
    assert problem({"jsonrpc": "2.0", "id": 1, "result": {}}) is None
    assert problem([]) == "batches are not supported"
    assert problem(3) is not None and problem(None) is not None
    assert problem({"id": True, "method": "x"}) is not None  # a bool is not an id
    assert problem({"id": {}, "method": "x"}) is not None
    assert problem({"method": "x", "params": 5}) is not None
    assert problem({"jsonrpc": "2.0"}) is not None


def test_negotiate_answers_our_version_for_anything_we_do_not_speak():
    assert negotiate(1) == 1
    assert negotiate(0) == 1 and negotiate(99) == 1


def test_diff_sides_give_the_hunks_old_and_new_text():
    old = "".join(f"line {i}\n" for i in range(1, 30))
    new = old.replace("line 3\n", "line three\n").replace("line 25\n", "")
    (name, before, after), = diff_sides(unified_diff(old, new, "src/a.py").diff)
    assert name == "src/a.py"
    assert "line 3" in before and "line three" not in before and "line three" in after
    assert "line 25" in before and "line 25" not in after
    assert "line 15" not in before  # outside both hunks' context


def test_diff_content_for_a_new_file_and_a_patch(tmp_path: Path):
    created = diff_content({"path": str(tmp_path / "n.txt"), "created": True,
                            **unified_diff("", "hello\n", "n.txt").metadata()}, tmp_path)
    assert created[0].old_text is None and created[0].new_text == "hello"
    combined = unified_diff("a\n", "b\n", "x.txt").diff + unified_diff("c\n", "", "y.txt").diff
    files = [{"path": str(tmp_path / "x.txt")}, {"path": str(tmp_path / "y.txt")}]
    two = diff_content({"diff": combined, "files": files}, tmp_path)
    assert [(d.path, d.old_text, d.new_text) for d in two] == [
        (str(tmp_path / "x.txt"), "a", "b"), (str(tmp_path / "y.txt"), "c", "")]


def test_tool_locations_are_absolute(tmp_path: Path):
    part = ToolPart(session_id="s", message_id="m", call_id="c", tool="read",
                    state=ToolState(input={"file_path": "src/a.py", "offset": 10}))
    (location,) = tool_locations(part, tmp_path)
    assert location.path == str(tmp_path / "src/a.py") and location.line == 10


def test_prompt_input_takes_text_links_and_embedded_context(tmp_path: Path):
    attached = tmp_path / "a.py"
    attached.write_text("x = 1\n")
    blocks = [
        TextContentBlock(type="text", text="look at this"),
        ResourceContentBlock(type="resource_link", name="a.py", uri=attached.as_uri()),
        ResourceContentBlock(type="resource_link", name="gone", uri="file:///no/such/file"),
        EmbeddedResourceContentBlock(type="resource", resource=TextResourceContents(uri="file:///b.py", text="y = 2")),
    ]
    text, files = prompt_input(blocks)
    assert files == [attached]
    assert text.startswith("look at this") and "[gone](file:///no/such/file)" in text
    assert '<context uri="file:///b.py">\ny = 2\n</context>' in text


PROBE = """
import importlib, json, pkgutil, sys
import agent_tui.acp as package
for info in pkgutil.iter_modules(package.__path__):
    importlib.import_module(f"agent_tui.acp.{info.name}")
print(json.dumps(sorted({m for m in sys.modules if m.split(".")[0] == "textual" or m.startswith(
    ("agent_tui.tui", "agent_tui.headless"))})))
"""


def test_the_acp_front_end_never_imports_another_front_end(subprocess_env: dict[str, str]):
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=subprocess_env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


class _ExplodingService:
    """Stands in for the engine hitting a bug mid-turn (a real one cannot be caused from outside)."""

    mcp = None

    async def chat(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("boom in the engine")


class _Connection:
    async def session_update(self, **kwargs: object) -> None:
        return None


async def test_an_engine_crash_in_a_turn_is_an_internal_error_answer(tmp_path: Path):
    from types import SimpleNamespace

    from acp import RequestError, text_block

    from agent_tui.acp.agent import AcpAgent, OpenSession

    agent = AcpAgent(directory=tmp_path)
    agent.on_connect(_Connection())
    agent._sessions["ses_x"] = OpenSession(project=SimpleNamespace(service=_ExplodingService()))  # type: ignore[arg-type]
    try:
        await agent.prompt(session_id="ses_x", prompt=[text_block("hi")])
    except RequestError as exc:
        assert exc.code == -32603 and exc.data == {"details": "RuntimeError: boom in the engine"}
    else:
        raise AssertionError("no error answer")
    await agent.shutdown()
