"""Refuse malformed SSE instead of losing it silently.

litellm's chunk parsers skip a `data:` line whose JSON does not parse (the OpenAI-style ones), or keep
accumulating it as a fragment until the stream ends (Anthropic's): either way the text in it is lost and the
user is told nothing, or later that the network failed. `check_lines` puts a check between the HTTP lines and
the parser, on both read paths, so such a line fails the attempt as a malformed stream (on the fast path of the
OpenAI-style parsers only once the parser has said it could not use a line, see `LineWatch`).
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


def check_lines(parser: Any, *, lazy: bool = False) -> LineWatch | None:
    """Wrap `parser`'s source of SSE lines (litellm's iterators read `streaming_response` when iterated).

    Eager (the default): every `data:` line is parsed once more here, before the parser sees it. `lazy`, for a
    parser that turns a line it cannot parse into an empty chunk (litellm's OpenAI-style ones): the lines are
    only noted, and the returned `LineWatch` checks the last one when such a chunk comes out (`verify`), so a
    good line is parsed once, by the parser (a few µs a chunk)."""
    lines = getattr(parser, "streaming_response", None)
    if lines is None or not hasattr(lines, "__aiter__") or isinstance(lines, str | bytes):
        return None
    if lazy:
        watch = LineWatch()
        parser.streaming_response = _watched(lines, watch)
        return watch
    parser.streaming_response = _checked(lines)
    return None


class LineWatch:
    """The last line the parser read, checked only when the parser could not use it."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: Any = None

    def verify(self) -> None:
        if self.last is not None:
            _check(self.last)


def _check(line: Any) -> None:
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    if isinstance(text, str):
        at = text.find("data:")
        if at != -1:
            payload = text[at + 5 :].strip()
            if payload and payload != "[DONE]":
                try:
                    json.loads(payload)
                except ValueError:
                    raise MalformedStreamError(payload) from None


async def _checked(lines: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for line in lines:
        _check(line)
        yield line


async def _watched(lines: AsyncIterator[Any], watch: LineWatch) -> AsyncIterator[Any]:
    async for line in lines:
        watch.last = line
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
