"""Fuzzy filtering for the `@` file completion and the session switcher.

A candidate matches when the query's characters appear in it in order (case-insensitive). Scoring favours
matches in the last path segment, contiguous runs, and short candidates, which is what a person means by
`@srvpy` → `agent_tui/core/session/service.py`. Cheap enough for tens of thousands of paths per keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def score(query: str, candidate: str) -> float | None:
    """A score (higher is better) or None when `candidate` does not contain `query` as a subsequence."""
    if not query:
        return 0.0
    q = query.lower()
    c = candidate.lower()
    position = -1
    runs = 0
    previous = -2
    for char in q:
        position = c.find(char, position + 1)
        if position < 0:
            return None
        if position != previous + 1:
            runs += 1
        previous = position
    base = c.rsplit("/", 1)[-1]
    result = 100.0 - runs * 10 - len(c) * 0.1
    if q in base:
        result += 60 + (20 if base.startswith(q) else 0)
    elif q in c:
        result += 30
    return result


def fuzzy_filter(
    query: str, candidates: Iterable[T], *, key: Callable[[T], str] = str, limit: int | None = 50
) -> list[T]:
    """The candidates matching `query`, best first (stable for ties); all of them in order for an empty query."""
    scored: list[tuple[float, int, T]] = []
    for index, candidate in enumerate(candidates):
        value = score(query, key(candidate))
        if value is not None:
            scored.append((-value, index, candidate))
    scored.sort(key=lambda item: (item[0], item[1]))
    chosen = [item[2] for item in scored]
    return chosen if limit is None else chosen[:limit]
