"""OpenAI chat-completions wire format for the fake LLM server (SSE chunks and whole completions)."""

from __future__ import annotations

import json
import time
from typing import Any

from agent_tui.testing.script import ErrorSpec, ReasoningStep, Reply, TextStep, ToolCallSpec, UsageSpec

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_denied",
    404: "not_found",
    429: "rate_limit_exceeded",
}


def sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def usage_json(u: UsageSpec) -> dict[str, Any]:
    # OpenAI counts cached tokens inside prompt_tokens and reasoning tokens inside completion_tokens.
    prompt = u.input + u.cache_read + u.cache_write
    completion = u.output + u.reasoning
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": u.cache_read},
        "completion_tokens_details": {"reasoning_tokens": u.reasoning},
    }
    if u.cache_write:
        # Not part of OpenAI's own API; some compatible servers report it under this name.
        out["cache_creation_input_tokens"] = u.cache_write
    if u.cost is not None:
        out["cost"] = u.cost  # OpenRouter's field: what the call was billed, in US dollars
    return out


def error_body(spec: ErrorSpec) -> dict[str, Any]:
    if spec.body is not None:
        return spec.body
    message = spec.message or f"Scripted error {spec.status}"
    return {
        "error": {
            "message": message,
            "type": _ERROR_TYPES.get(spec.status, "server_error"),
            "param": None,
            "code": str(spec.status),
        }
    }


class OpenAIStream:
    """Builds the SSE frames of one streamed reply, step by step."""

    def __init__(self, model: str, include_usage: bool, reply_no: int) -> None:
        self.model = model
        self.include_usage = include_usage
        self.id = f"chatcmpl-fake{reply_no}"
        self.created = int(time.time())

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> bytes:
        return sse(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    def start(self) -> list[bytes]:
        return [self._chunk({"role": "assistant", "content": ""})]

    def text(self, piece: str) -> list[bytes]:
        return [self._chunk({"content": piece})]

    def reasoning(self, piece: str) -> list[bytes]:
        return [self._chunk({"reasoning_content": piece})]

    def tool_call_start(self, index: int, call_id: str, name: str) -> list[bytes]:
        head = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
        return [self._chunk({"tool_calls": [head]})]

    def tool_call_args(self, index: int, fragment: str) -> list[bytes]:
        return [self._chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})]

    def finish(self, reason: str, usage: UsageSpec) -> list[bytes]:
        frames = [self._chunk({}, finish=reason)]
        if self.include_usage:
            frames.append(
                sse(
                    {
                        "id": self.id,
                        "object": "chat.completion.chunk",
                        "created": self.created,
                        "model": self.model,
                        "choices": [],
                        "usage": usage_json(usage),
                    }
                )
            )
        frames.append(sse("[DONE]"))
        return frames

    def error_event(self, spec: ErrorSpec) -> list[bytes]:
        return [sse(error_body(spec))]

    def malformed(self) -> list[bytes]:
        return [b'data: {"choices": [{"delta": {"content": \n\n']


def completion(
    reply: Reply, model: str, reply_no: int, finish: str, usage: UsageSpec, call_ids: list[str]
) -> dict[str, Any]:
    """The non-streamed JSON completion for `reply`."""
    content = "".join(s.text for s in reply.steps if isinstance(s, TextStep))
    thinking = "".join(s.reasoning for s in reply.steps if isinstance(s, ReasoningStep))
    message: dict[str, Any] = {"role": "assistant", "content": content or None}
    if thinking:
        message["reasoning_content"] = thinking
    calls: list[ToolCallSpec] = reply.tool_calls()
    if calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments_json()},
            }
            for c, call_id in zip(calls, call_ids, strict=True)
        ]
    return {
        "id": f"chatcmpl-fake{reply_no}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage_json(usage),
    }
