"""`agent-tui sessions undo|redo|diff`: checkpoints from the command line.

Exit codes as for the other `sessions` commands: 0 done, 1 nothing to undo/redo or files changed by hand since
the turn (the message names them and says `--force`), 2 bad usage (no such session).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parsers are built by every command: keep the engine out of that path
    from agent_tui.core.session.service import SessionService
    from agent_tui.core.snapshot.revert import RevertResult

ACTIONS = ("undo", "redo", "diff")


def add_parsers(ssub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    undo = ssub.add_parser("undo", help="undo the session's last turn: put back the files it changed")
    undo.add_argument("id")
    undo.add_argument("--force", action="store_true", help="overwrite files changed by hand since the turn")
    redo = ssub.add_parser("redo", help="redo the turn undone last")
    redo.add_argument("id")
    redo.add_argument("--force", action="store_true", help="overwrite files changed by hand since the undo")
    diff = ssub.add_parser("diff", help="print the session's changes to files as a unified diff")
    diff.add_argument("id")
    diff.add_argument("--stat", action="store_true", help="only the changed files with their +/- counts")


def run(service: SessionService, args: argparse.Namespace) -> int:
    from agent_tui.core.session.service import BusyError
    from agent_tui.core.snapshot.revert import NothingToRevert, RevertConflict

    session_id = args.id
    if args.action == "diff":
        return _diff(service, session_id, stat=args.stat)
    try:
        if args.action == "undo":
            result = asyncio.run(service.undo(session_id, force=args.force))
        else:
            result = asyncio.run(service.redo(session_id, force=args.force))
    except (NothingToRevert, RevertConflict, BusyError) as exc:
        print(f"agent-tui: {exc}", file=sys.stderr)
        return 1
    print(_describe(service, session_id, result))
    return 0


def _describe(service: SessionService, session_id: str, result: RevertResult) -> str:
    verb = "Undid" if result.action == "undo" else "Redid"
    texts = {m.info.id: m.text() for m in service.messages(session_id)}
    first = texts.get(result.message_ids[0], "").splitlines() if result.message_ids else []
    label = f" “{first[0][:60]}”" if first else ""
    files = f"; files put back: {', '.join(result.files)}" if result.files else "; no files changed"
    lines = [f"{verb} the turn{label}{files}."]
    if result.note:
        lines.append(result.note)
    return "\n".join(lines)


def _diff(service: SessionService, session_id: str, *, stat: bool) -> int:
    changes = service.changed_files(session_id)
    if not changes:
        print("No file changes in this session.", file=sys.stderr)
        return 0
    if stat:
        for change in changes:
            counts = "binary" if change.binary else f"+{change.additions} -{change.deletions}"
            print(f"{counts:>12}  {change.path}{'' if change.status == 'modified' else f' ({change.status})'}")
        return 0
    sys.stdout.write(asyncio.run(service.session_diff(session_id)))
    return 0
