"""Seed a 1,000-message session for the terminal benchmark's "reopen" figure.

Run with the Python of the agent-tui under test, with `AGENT_TUI_HOME` set and the project folder as the working
directory: `python terminal_seed.py COUNT`. The last reply ends with the word `ENDQZreopen`, which the driver waits
for on screen after `agent-tui -c`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui import SESSION, history

from agent_tui.core import paths
from agent_tui.core.models import Session, TextPart
from agent_tui.core.project import Project
from agent_tui.core.storage import Storage


def main(count: int) -> None:
    project = Project.discover(Path.cwd())
    session = Session(project_id=project.id, directory=str(project.directory), title="A long session",
                      title_generated=True)
    messages = history(count)
    last = messages[-1]
    last.parts.append(TextPart(id=f"{last.parts[-1].id}_end", session_id=SESSION, message_id=last.info.id,
                               text="That is all.\n\nENDQZreopen"))
    records, parts = [], []
    for item in messages:
        records.append(item.info.model_copy(update={"session_id": session.id}))
        parts.extend(p.model_copy(update={"session_id": session.id}) for p in item.parts)
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    storage = Storage(paths.database_path())
    storage.put_all(sessions=[session], messages=records, parts=parts)
    storage.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
