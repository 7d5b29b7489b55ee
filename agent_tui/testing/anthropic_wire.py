"""Anthropic Messages wire format for the fake LLM server (SSE events and whole messages)."""

from __future__ import annotations

import json
from typing import Any

from agent_tui.testing.script import ErrorSpec, ReasoningStep, Reply, TextStep, ToolCallStep, UsageSpec

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}

# Our finish vocabulary is OpenAI's; Anthropic names the same outcomes differently.
_STOP_REASONS = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}


def stop_reason(finish: str) -> str:
    return _STOP_REASONS.get(finish, finish)


def event(name: str, payload: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()


def error_body(spec: ErrorSpec) -> dict[str, Any]:
    if spec.body is not None:
        return spec.body
    kind = _ERROR_TYPES.get(spec.status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": spec.message or f"Scripted error {spec.status}"}}


def _signature(reply_no: int, index: int) -> str:
    # Real signatures are opaque base64; a stable fake is enough for clients that just carry it along.
    return f"fakesig-{reply_no}-{index}"


def _tool_input(arguments: dict[str, Any] | str) -> Any:
    if isinstance(arguments, dict):
        return arguments
    try:
        return json.loads(arguments)
    except ValueError:
        return arguments  # malformed on purpose: pass it through as the scripted string


class AnthropicStream:
    """Builds the SSE events of one streamed reply; consecutive text (or thinking) shares one block."""

    def __init__(self, model: str, reply_no: int, usage: UsageSpec) -> None:
        self.model = model
        self.reply_no = reply_no
        self.usage = usage
        self.index = -1
        self.open: str | None = None  # type of the open content block

    def _close(self) -> list[bytes]:
        frames: list[bytes] = []
        if self.open == "thinking":
            delta = {"type": "signature_delta", "signature": _signature(self.reply_no, self.index)}
            frames.append(
                event("content_block_delta", {"type": "content_block_delta", "index": self.index, "delta": delta})
            )
        if self.open is not None:
            frames.append(event("content_block_stop", {"type": "content_block_stop", "index": self.index}))
        self.open = None
        return frames

    def _open(self, block: dict[str, Any]) -> list[bytes]:
        frames = self._close()
        self.index += 1
        self.open = block["type"]
        frames.append(
            event("content_block_start", {"type": "content_block_start", "index": self.index, "content_block": block})
        )
        return frames

    def _delta(self, delta: dict[str, Any]) -> bytes:
        return event("content_block_delta", {"type": "content_block_delta", "index": self.index, "delta": delta})

    def start(self) -> list[bytes]:
        u = self.usage
        message = {
            "id": f"msg_fake{self.reply_no}",
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": u.input,
                "cache_creation_input_tokens": u.cache_write,
                "cache_read_input_tokens": u.cache_read,
                "output_tokens": 1,
            },
        }
        return [event("message_start", {"type": "message_start", "message": message})]

    def text(self, piece: str) -> list[bytes]:
        frames = [] if self.open == "text" else self._open({"type": "text", "text": ""})
        frames.append(self._delta({"type": "text_delta", "text": piece}))
        return frames

    def reasoning(self, piece: str) -> list[bytes]:
        frames = [] if self.open == "thinking" else self._open({"type": "thinking", "thinking": ""})
        frames.append(self._delta({"type": "thinking_delta", "thinking": piece}))
        return frames

    def tool_call_start(self, index: int, call_id: str, name: str) -> list[bytes]:
        return self._open({"type": "tool_use", "id": call_id, "name": name, "input": {}})

    def tool_call_args(self, index: int, fragment: str) -> list[bytes]:
        return [self._delta({"type": "input_json_delta", "partial_json": fragment})]

    def finish(self, reason: str, usage: UsageSpec) -> list[bytes]:
        frames = self._close()
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason(reason), "stop_sequence": None},
            "usage": {"output_tokens": usage.output + usage.reasoning},
        }
        frames.append(event("message_delta", delta))
        frames.append(event("message_stop", {"type": "message_stop"}))
        return frames

    def error_event(self, spec: ErrorSpec) -> list[bytes]:
        return [event("error", error_body(spec))]

    def malformed(self) -> list[bytes]:
        return [b'event: content_block_delta\ndata: {"type": "content_block_delta", "index\n\n']


def message(
    reply: Reply, model: str, reply_no: int, finish: str, usage: UsageSpec, call_ids: list[str]
) -> dict[str, Any]:
    """The non-streamed Messages API response for `reply`."""
    content: list[dict[str, Any]] = []
    calls = iter(call_ids)
    for step in reply.steps:
        last = content[-1] if content else None
        if isinstance(step, TextStep):
            if last is not None and last["type"] == "text":
                last["text"] += step.text
            else:
                content.append({"type": "text", "text": step.text})
        elif isinstance(step, ReasoningStep):
            if last is not None and last["type"] == "thinking":
                last["thinking"] += step.reasoning
            else:
                content.append(
                    {"type": "thinking", "thinking": step.reasoning, "signature": _signature(reply_no, len(content))}
                )
        elif isinstance(step, ToolCallStep):
            spec = step.tool_call
            content.append(
                {"type": "tool_use", "id": next(calls), "name": spec.name, "input": _tool_input(spec.arguments)}
            )
    return {
        "id": f"msg_fake{reply_no}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason(finish),
        "stop_sequence": None,
        "usage": {
            "input_tokens": usage.input,
            "cache_creation_input_tokens": usage.cache_write,
            "cache_read_input_tokens": usage.cache_read,
            "output_tokens": usage.output + usage.reasoning,
        },
    }
