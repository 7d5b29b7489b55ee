"""`field(obj, name)` reads litellm's chunk objects exactly as `getattr(obj, name, None)` does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pydantic import BaseModel, PrivateAttr

from agent_tui.core.llm.fields import field
from agent_tui.core.llm.litellm_loader import load_litellm

NAMES = ("usage", "choices", "finish_reason", "delta", "reasoning_content", "thinking_blocks", "content",
         "tool_calls", "index", "id", "function", "name", "arguments", "role", "model", "get", "json",
         "hidden_params", "_hidden_params", "provider_specific_fields", "nothing_by_this_name")


def _chunks() -> list[object]:
    litellm = load_litellm()
    from litellm.types.utils import ModelResponseStream

    return [
        ModelResponseStream(choices=[{"delta": {"content": "hi"}, "index": 0}], id="c1", created=1, model="m"),
        ModelResponseStream(choices=[{"delta": {"reasoning_content": "hmm", "thinking_blocks": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"}]}, "index": 0}], id="c2", created=1),
        ModelResponseStream(choices=[{"delta": {"tool_calls": [{"index": 0, "id": "call_1", "function": {
            "name": "read", "arguments": "{\"pa"}}]}, "index": 0, "finish_reason": "tool_calls"}], id="c3",
            created=1),
        ModelResponseStream(choices=[], id="c4", created=1, usage=litellm.Usage(prompt_tokens=5,
                                                                               completion_tokens=7)),
    ]


def _objects(chunk: object) -> list[object]:
    found = [chunk, getattr(chunk, "usage", None)]
    for choice in getattr(chunk, "choices", None) or ():
        delta = getattr(choice, "delta", None)
        found += [choice, delta]
        for call in getattr(delta, "tool_calls", None) or ():
            found += [call, getattr(call, "function", None)]
    return [obj for obj in found if obj is not None]


@pytest.mark.parametrize("index", range(4))
def test_field_reads_litellm_chunks_as_getattr_does(index: int) -> None:
    objects = _objects(_chunks()[index])
    assert len(objects) >= 2
    for obj in objects:
        for name in NAMES:
            assert field(obj, name) == getattr(obj, name, None), (type(obj).__name__, name)


def test_field_on_other_objects_and_model_quirks() -> None:
    class Model(BaseModel, extra="allow"):
        value: int | None = None
        _private: str = PrivateAttr(default="kept")

        @property
        def shown(self) -> str:
            return "property"

    model = Model(value=3, extra_one="x")
    del model.value  # litellm deletes unset fields to match OpenAI's shape
    for name in ("value", "extra_one", "_private", "shown", "absent"):
        assert field(model, name) == getattr(model, name, None), name
    plain = SimpleNamespace(content="text")
    assert field(plain, "content") == "text" and field(plain, "absent") is None
