"""Unified diffs for edit previews (permission dialog, tool panel) and their +/- counts."""

from __future__ import annotations

import difflib

from pydantic import BaseModel


class DiffSummary(BaseModel):
    diff: str
    additions: int
    deletions: int

    def metadata(self) -> dict[str, object]:
        return {"diff": self.diff, "additions": self.additions, "deletions": self.deletions}


def unified_diff(old: str, new: str, path: str, *, context: int = 3) -> DiffSummary:
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    additions = deletions = 0
    out: list[str] = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}", n=context):
        if line.startswith("+") and not line.startswith("+++"):
            additions += 1
        elif line.startswith("-") and not line.startswith("---"):
            deletions += 1
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return DiffSummary(diff="".join(out), additions=additions, deletions=deletions)
