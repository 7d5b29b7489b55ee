"""Turning MCP results into tool results, and the names the model sees."""

from __future__ import annotations

import base64

import pytest
from mcp.types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
)

from agent_tui.core.mcp.names import MAX_LENGTH, tool_name
from agent_tui.core.mcp.results import to_tool_result
from agent_tui.core.tools.base import ToolError

PNG = base64.b64encode(b"\x89PNG fake").decode()


def convert(result: CallToolResult) -> tuple[str, list[str]]:
    converted = to_tool_result(result, title="t", metadata={})
    return converted.output, [a.mime for a in converted.attachments]


def test_text_blocks_are_joined_with_newlines() -> None:
    result = CallToolResult(content=[TextContent(text="one"), TextContent(text="two")])
    assert convert(result) == ("one\ntwo", [])


def test_structured_content_is_shown_when_there_is_no_text() -> None:
    result = CallToolResult(content=[], structured_content={"files": ["a.py"], "count": 1})
    output, _ = convert(result)
    assert '"files": [\n    "a.py"\n  ]' in output and '"count": 1' in output


def test_text_wins_over_structured_content() -> None:
    result = CallToolResult(content=[TextContent(text="1 file")], structured_content={"count": 1})
    assert convert(result) == ("1 file", [])


def test_images_become_attachments() -> None:
    result = CallToolResult(content=[ImageContent(data=PNG, mime_type="image/png")])
    assert convert(result) == ("[1 image(s) attached]", ["image/png"])


def test_other_blocks_are_described() -> None:
    blob = base64.b64encode(b"12345").decode()
    result = CallToolResult(content=[
        AudioContent(data=blob, mime_type="audio/wav"),
        ResourceLink(name="spec", uri="file:///spec.md"),
        EmbeddedResource(resource=BlobResourceContents(uri="file:///a.bin", mime_type="application/zip", blob=blob)),
        EmbeddedResource(resource=BlobResourceContents(uri="file:///shot.png", mime_type="image/png", blob=PNG)),
    ])
    output, mimes = convert(result)
    assert output.splitlines() == [
        "[audio (audio/wav) not shown]",
        "[resource spec: file:///spec.md]",
        "[binary resource file:///a.bin (application/zip, 5 bytes) not shown]",
        "[image file:///shot.png (image/png) attached]",
    ]
    assert mimes == ["image/png"]


def test_error_result_raises_tool_error_with_its_text() -> None:
    with pytest.raises(ToolError, match=r"^no such file$"):
        convert(CallToolResult(content=[TextContent(text="no such file")], is_error=True))
    with pytest.raises(ToolError, match="without a message"):
        convert(CallToolResult(content=[], is_error=True))


def test_empty_result() -> None:
    assert convert(CallToolResult(content=[])) == ("(no output)", [])


def test_tool_names_are_sanitised_bounded_and_unique() -> None:
    assert tool_name("github", "create_issue") == "github_create_issue"
    assert tool_name("my server", "read.file/v2") == "my_server_read_file_v2"
    long = tool_name("s" * 40, "t" * 40)
    assert len(long) == MAX_LENGTH and long.startswith("s" * 40 + "_")
    taken = {long}
    second = tool_name("s" * 40, "t" * 40, taken)
    assert second != long and len(second) == MAX_LENGTH and second.endswith("_2")
    assert tool_name("a.b", "c", {"a_b_c"}) == "a_b_c_2"
