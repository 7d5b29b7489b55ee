"""Images and files reaching the model: attached by the user or returned by `read`, with and without vision."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from agent_tui.core.tools.base import ToolRegistry
from agent_tui.core.tools.read import ReadTool
from agent_tui.testing.fake_llm import Reply, text, tool_call

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
VISION_MODEL = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5"}  # looked up in litellm's model map


def service_for(make_service, llm, protocol: str, vision: bool):
    model: dict = {"limit": {"context": 100_000, "output": 4_000}}
    if vision:
        model["id"] = VISION_MODEL[protocol]
    base = llm.openai_base if protocol == "openai" else llm.anthropic_base
    svc = make_service(protocol, tools=ToolRegistry([ReadTool()]), provider={
        "fake": {"api": protocol, "base_url": base, "api_key": "sk-test", "models": {"m": model}}})
    assert svc.resolve_model().info.vision is vision
    return svc


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
@pytest.mark.parametrize("vision", [False, True])
async def test_images_reach_only_models_with_vision(make_service, llm, project_dir: Path, protocol, vision):
    (project_dir / "dot.png").write_bytes(PNG)
    svc = service_for(make_service, llm, protocol, vision)
    llm.add(Reply.of(tool_call("read", {"file_path": "dot.png"}, id="r1")))
    llm.add(Reply.of(text("a dot")))
    session = svc.create(title="fixed")

    reply = await svc.chat(session.id, "what is this?", files=[project_dir / "dot.png"])

    assert reply.error is None
    sent = json.dumps(llm.requests[1].messages)
    if vision:
        assert sent.count(PNG_B64) == 2  # the user's attachment and the tool's
    else:
        # A provider without vision refuses a request with an image in it; the model is told instead.
        assert PNG_B64 not in sent
        assert "this model does not accept images" in sent
        assert "The image was not sent" in sent  # the tool's "is attached" is corrected


async def test_an_attached_binary_file_is_described_not_sent_as_garbage(make_service, llm, project_dir: Path):
    (project_dir / "blob.bin").write_bytes(bytes(range(256)) * 40)
    svc = make_service(tools=ToolRegistry([]))
    llm.add(Reply.of(text("ok")))
    session = svc.create(title="fixed")

    await svc.chat(session.id, "look", files=[project_dir / "blob.bin"])

    user = llm.requests[0].messages[-1]["content"]
    assert "\x00" not in user and "\ufffd" not in user
    assert "blob.bin is binary" in user


async def test_a_huge_attached_text_file_is_cut_with_a_note(make_service, llm, project_dir: Path):
    (project_dir / "big.txt").write_text("line of text\n" * 100_000)  # 1.3 MB
    svc = make_service(tools=ToolRegistry([]))
    llm.add(Reply.of(text("ok")))
    session = svc.create(title="fixed")

    await svc.chat(session.id, "summarise", files=[project_dir / "big.txt"])

    user = llm.requests[0].messages[-1]["content"]
    assert len(user) < 250_000
    assert "the rest of the file is cut" in user
