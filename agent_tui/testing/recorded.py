"""What the fake LLM server records of each request: route, protocol, messages, tools, headers (never the
values of auth headers), and whether the client stayed until the reply was finished."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

OPENAI_PATHS = ("/v1/chat/completions", "/chat/completions")
ANTHROPIC_PATHS = ("/v1/messages", "/messages")
# Header values never recorded: only the fact that one of them was present.
AUTH_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization", "x-goog-api-key"})


class RecordedRequest(BaseModel):
    """One request as the server saw it. `disconnected`/`finished` change while the reply is served."""

    index: int
    method: str
    path: str
    protocol: Literal["openai", "anthropic", "unknown"]
    model: str | None = None
    messages: list[Any] = Field(default_factory=list)
    system: Any = None
    tools: list[Any] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)
    auth_present: bool = False
    stream: bool = False
    include_usage: bool = False
    body: Any = None
    reply_index: int | None = None
    status: int | None = None
    disconnected: bool = False
    finished: bool = False


def record_request(index: int, method: str, path: str, headers: dict[str, str], body: bytes) -> RecordedRequest:
    """What the server keeps of one request (auth header values left out)."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = body.decode("utf-8", "replace")
    fields = data if isinstance(data, dict) else {}
    route = path.split("?", 1)[0]
    protocol: Literal["openai", "anthropic", "unknown"] = (
        "openai" if route in OPENAI_PATHS else "anthropic" if route in ANTHROPIC_PATHS else "unknown"
    )
    stream_options = fields.get("stream_options") or {}
    record = RecordedRequest(
        index=index,
        method=method,
        path=route,
        protocol=protocol,
        model=fields.get("model"),
        messages=fields.get("messages") or [],
        system=fields.get("system"),
        tools=fields.get("tools") or [],
        headers={k: v for k, v in headers.items() if k not in AUTH_HEADERS},
        auth_present=any(k in AUTH_HEADERS for k in headers),
        stream=bool(fields.get("stream")),
        include_usage=bool(isinstance(stream_options, dict) and stream_options.get("include_usage")),
        body=data,
    )
    return record
