"""Find `old_string` in a file the way a careful person would: exactly first, then forgiving the differences
models often get wrong (trailing whitespace, indentation, runs of spaces), and when nothing matches, point at
the nearest candidate so the model can correct itself. Content is expected with LF line endings.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from agent_tui.core.tools.base import ToolError

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class _Strategy:
    name: str
    normalize: Callable[[str], str]
    reindent: bool


_STRATEGIES = (
    _Strategy("ignoring trailing whitespace", str.rstrip, reindent=False),
    _Strategy("ignoring indentation", str.strip, reindent=True),
    _Strategy("ignoring whitespace differences", lambda s: _SPACES.sub(" ", s).strip(), reindent=True),
)


@dataclass(frozen=True)
class Replaced:
    content: str
    count: int
    strategy: str  # "exact" or how the match was relaxed


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _first_indent(lines: list[str]) -> str | None:
    for line in lines:
        if line.strip():
            return _leading_ws(line)
    return None


def _reindent(new: str, old_indent: str | None, found_indent: str | None) -> str:
    if old_indent is None or found_indent is None or old_indent == found_indent:
        return new
    out = []
    for line in new.split("\n"):
        if not line.strip():
            out.append(line)
        elif line.startswith(old_indent):
            out.append(found_indent + line[len(old_indent) :])
        else:  # indented differently from old_string's base: put it at the found block's base
            out.append(found_indent + line.lstrip())
    return "\n".join(out)


def _line_starts(lines: list[str]) -> list[int]:
    """Offset of each line in the text they were split from (on "\n")."""
    return list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))


def replace(content: str, old: str, new: str, *, replace_all: bool = False) -> Replaced:
    """Replace `old` with `new` in `content`. Raises ToolError (not found / ambiguous) with guidance."""
    if old == "":
        raise ToolError("old_string is empty. Give the exact text to replace (or use write for a new file).")
    if old == new:
        raise ToolError("old_string and new_string are identical; there is nothing to change.")

    count = content.count(old)
    if count == 1 or (count > 1 and replace_all):
        return Replaced(content.replace(old, new), count, "exact")
    if count > 1:
        raise ToolError(
            f"old_string was found {count} times. Include more surrounding lines to make it unique, "
            "or set replace_all to true to change every occurrence."
        )

    lines = content.split("\n")
    old_lines = old.split("\n")
    trailing_newline = old.endswith("\n") and len(old_lines) > 1
    if trailing_newline:
        old_lines = old_lines[:-1]
    k = len(old_lines)
    starts = _line_starts(lines)
    for strategy in _STRATEGIES:
        wanted = [strategy.normalize(line) for line in old_lines]
        if not any(wanted):
            continue
        normalized = [strategy.normalize(line) for line in lines]
        hits = [i for i in range(len(lines) - k + 1) if normalized[i : i + k] == wanted]
        hits = _non_overlapping(hits, k)
        if not hits:
            continue
        if len(hits) > 1 and not replace_all:
            where = ", ".join(str(i + 1) for i in hits[:10])
            raise ToolError(
                f"old_string was not found exactly, and {strategy.name} it matches {len(hits)} places "
                f"(starting at lines {where}). Include more surrounding lines to make it unique, "
                "or set replace_all to true."
            )
        result = content
        for i in reversed(hits):
            start = starts[i]
            last = i + k - 1
            end = starts[last] + len(lines[last])
            if trailing_newline and last + 1 < len(starts):
                end += 1
            replacement = new
            if strategy.reindent:
                replacement = _reindent(new, _first_indent(old_lines), _first_indent(lines[i : i + k]))
            result = result[:start] + replacement + result[end:]
        return Replaced(result, len(hits), strategy.name)

    trimmed_old, trimmed_new = trim_blank_edges(old, new)
    if trimmed_old and trimmed_old != old:
        # Blank lines the model added around the text (or copied from a view with different spacing) should
        # not stop an otherwise exact match: match without them, and drop the same edges from new_string.
        try:
            found = replace(content, trimmed_old, trimmed_new, replace_all=replace_all)
        except ToolError:
            pass
        else:
            how = "ignoring blank lines at the edges"
            strategy_name = how if found.strategy == "exact" else f"{how}, {found.strategy}"
            return Replaced(found.content, found.count, strategy_name)
    raise ToolError("old_string was not found in the file." + nearest_candidate(lines, old_lines))


_LEADING_BLANK = re.compile(r"\A(?:[ \t]*\r?\n)+")
_TRAILING_BLANK = re.compile(r"(?:\r?\n[ \t]*)+\Z")


def trim_blank_edges(old: str, new: str) -> tuple[str, str]:
    """`old` without its leading blank lines and trailing line breaks, and `new` without the same edges where
    it has them (blank lines the model meant to add stay)."""
    lead = _LEADING_BLANK.match(old)
    trail = _TRAILING_BLANK.search(old)
    head = lead.group(0) if lead else ""
    tail = trail.group(0) if trail and trail.start() >= len(head) else ""
    trimmed_old = old[len(head) : len(old) - len(tail)]
    if head and new.startswith(head):
        new = new[len(head) :]
    if tail and new.endswith(tail):
        new = new[: len(new) - len(tail)]
    return trimmed_old, new


def _non_overlapping(hits: list[int], k: int) -> list[int]:
    out: list[int] = []
    for i in hits:
        if not out or i >= out[-1] + k:
            out.append(i)
    return out


def nearest_candidate(lines: list[str], old_lines: list[str], *, max_shown: int = 30) -> str:
    """A note quoting the part of the file most similar to `old_lines`, with line numbers, or ''."""
    k = max(len(old_lines), 1)
    if not lines or len(lines) < 1:
        return ""
    wanted = "\n".join(line.strip() for line in old_lines)
    wanted_set = {line.strip() for line in old_lines if line.strip()}
    stripped = [line.strip() for line in lines]
    # Cheap pre-filter: windows sharing the most lines with old_string, then score those with difflib.
    shared = [1 if s and s in wanted_set else 0 for s in stripped]
    window_scores: list[tuple[int, int]] = []
    running = sum(shared[:k])
    window_scores.append((running, 0))
    for i in range(1, max(len(lines) - k + 1, 1)):
        running += shared[i + k - 1] - shared[i - 1] if i + k - 1 < len(shared) else -shared[i - 1]
        window_scores.append((running, i))
    candidates = [i for score, i in sorted(window_scores, reverse=True)[:10] if score > 0]
    first = next((line.strip() for line in old_lines if line.strip()), "")
    if not candidates and first:
        # No line in common: windows starting at lines like the first one (quick_ratio is an upper bound of
        # ratio and linear; full ratios on every line of a big file would take seconds).
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(first)
        scored: list[tuple[float, int]] = []
        for i, line in enumerate(stripped):
            matcher.set_seq1(line)
            if matcher.real_quick_ratio() >= 0.5:
                scored.append((matcher.quick_ratio(), i))
        candidates = [i for _, i in heapq.nlargest(20, scored)]
    best_ratio, best_start = 0.0, -1
    for start in dict.fromkeys(candidates):
        start = max(0, min(start, len(lines) - k))
        text = "\n".join(stripped[start : start + k])
        ratio = difflib.SequenceMatcher(None, wanted, text, autojunk=False).ratio()
        if ratio > best_ratio:
            best_ratio, best_start = ratio, start
    if best_start < 0 or best_ratio < 0.4:
        return " No similar text was found either; read the file again to see its current content."
    end = min(best_start + k, len(lines))
    shown = lines[best_start : min(end, best_start + max_shown)]
    body = "\n".join(f"{best_start + n + 1:>6}\t{line}" for n, line in enumerate(shown))
    more = "\n   ..." if end - best_start > max_shown else ""
    return (
        f" The most similar text (lines {best_start + 1}-{end}, {best_ratio:.0%} similar) is:\n{body}{more}\n"
        "Copy the text exactly as it appears in the file (without the line-number prefix) and try again."
    )
