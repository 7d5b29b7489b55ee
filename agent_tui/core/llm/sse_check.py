"""Refuse malformed SSE instead of losing it silently.

litellm's chunk parsers skip a `data:` line whose JSON does not parse (the OpenAI-style ones), or keep
accumulating it as a fragment until the stream ends (Anthropic's): either way the text in it is lost and the
user is told nothing, or later that the network failed. `check_lines` puts a check between the HTTP lines and
the parser, on both read paths, so such a line fails the attempt as a malformed stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

MARKER = "malformed SSE data"  # in the message, so the kind survives litellm's re-wrapping of exceptions


class MalformedStreamError(ValueError):
    def __init__(self, payload: str) -> None:
        preview = payload if len(payload) <= 80 else payload[:79] + "…"
        super().__init__(f"{MARKER}: {preview!r}")


def check_lines(parser: Any) -> None:
    """Wrap `parser`'s source of SSE lines (litellm's iterators read `streaming_response` when iterated)."""
    lines = getattr(parser, "streaming_response", None)
    if lines is None or not hasattr(lines, "__aiter__") or isinstance(lines, str | bytes):
        return
    parser.streaming_response = _checked(lines)


async def _checked(lines: AsyncIterator[Any]) -> AsyncIterator[Any]:
    loads = json.loads
    async for line in lines:
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        if isinstance(text, str):
            at = text.find("data:")
            if at != -1:
                payload = text[at + 5 :].strip()
                if payload and payload != "[DONE]":
                    try:
                        loads(payload)
                    except ValueError:
                        raise MalformedStreamError(payload) from None
        yield line


def is_malformed(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) is a malformed stream, as litellm passes it on."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        if isinstance(link, MalformedStreamError | json.JSONDecodeError) or MARKER in str(link):
            return True
        for nxt in (link.__cause__, link.__context__, getattr(link, "original_exception", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return False
