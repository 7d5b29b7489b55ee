"""Tool schemas sent to models: nested models are inlined (some providers reject `$ref`)."""

from __future__ import annotations

import json

from pydantic import BaseModel

from agent_tui.core.tools.base import inline_refs
from agent_tui.core.tools.builtin import builtin_tools


class Inner(BaseModel):
    name: str


class Outer(BaseModel):
    items: list[Inner]
    best: Inner | None = None


class Node(BaseModel):
    children: list[Node] = []


def test_refs_are_inlined():
    schema = inline_refs(Outer.model_json_schema())
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text
    assert schema["properties"]["items"]["items"]["properties"]["name"]["type"] == "string"


def test_recursive_schemas_are_left_alone():
    original = Node.model_json_schema()
    assert inline_refs(original) == original


def test_every_builtin_schema_is_flat_and_described():
    names = set()
    for tool in builtin_tools():
        schema = tool.schema()
        names.add(schema["function"]["name"])
        assert "$ref" not in json.dumps(schema)
        assert len(schema["function"]["description"]) > 40, tool.name
    assert {"bash", "read", "write", "edit", "multiedit", "patch", "glob", "grep", "ls", "todowrite", "todoread",
            "webfetch", "task"} <= names
