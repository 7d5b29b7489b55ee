"""Long pastes sent as attachments (issue 10): stored whole before the typed text, read by the model in a tag
naming their chip, summarised by `sessions show`, kept whole by `sessions export`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agent_tui.core import ids
from agent_tui.core.models import MessageTime, TextPart, UserMessage
from agent_tui.core.project import Project
from agent_tui.core.session.pastes import Paste, chip, line_count, preview, summarize
from agent_tui.core.storage import Storage
from agent_tui.testing.fake_llm import Reply, text

BODY = "\n".join(f"row {n}: \x1b[31mred\x1b[0m value" for n in range(1, 5001))
CHECKOUT = str(Path(__file__).resolve().parents[2])


def test_summary_counts_lines_as_an_editor_does_and_previews_the_first_non_blank_line():
    assert line_count("") == 0 and line_count("a") == 1 and line_count("a\n") == 1 and line_count("a\nb") == 2
    assert preview("\n\n   \n  first line  \nsecond") == "first line"
    assert preview("x" * 200).endswith("…") and len(preview("x" * 200)) == 80
    info = summarize(3, "é\n" * 1500)
    assert (info.number, info.lines, info.size) == (3, 1500, 4500)
    assert chip(info) == "[pasted text #3 · 1,500 lines · 4 KB]"
    assert chip(summarize(1, "one line")) == "[pasted text #1 · 1 line · 8 B]"


async def test_a_paste_is_stored_whole_before_the_typed_text_and_the_model_reads_it_tagged(make_service, llm,
                                                                                           title_llm):
    llm.add(Reply.of(text("Five thousand rows.")))
    title_llm.add(Reply.of(text("Counting rows")))
    service = make_service()
    session = service.create()
    part_id = ids.ascending("prt")
    typed = f"How many rows? {chip(summarize(1, BODY))}"
    await service.chat(session.id, typed, pastes=[Paste(number=1, text=BODY, part_id=part_id)])
    [user, _reply] = service.messages(session.id)
    pasted, question = user.parts
    assert isinstance(pasted, TextPart) and pasted.id == part_id and pasted.text == BODY
    assert pasted.paste is not None and pasted.paste.lines == 5000 and pasted.paste.preview.startswith("row 1:")
    assert isinstance(question, TextPart) and question.text == typed and question.paste is None
    assert user.text() == typed  # the visible text has the chip, not the rows
    sent = llm.requests[0].messages[-1]["content"]
    assert sent == f'<pasted_text number="1" lines="5000">\n{BODY}\n</pasted_text>\n\n{typed}'
    # The title is made from what was typed, not from the paste.
    assert all(BODY not in json.dumps(r.messages) for r in title_llm.requests)


def test_sessions_show_summarises_a_paste_and_export_keeps_all_of_it(tmp_path: Path):
    project = tmp_path / "proj"
    project.mkdir()
    home = tmp_path / "home"
    env = {**{k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}, "AGENT_TUI_HOME": str(home),
           "PYTHONPATH": CHECKOUT}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "agent_tui.cli", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=120)

    assert cli("sessions", "list").returncode == 0  # creates the database where the CLI looks for it
    [database] = home.rglob("agent-tui.db")
    storage = Storage(database)
    from agent_tui.core.models import Session

    found = Project.discover(project)
    session = Session(project_id=found.id, directory=str(found.directory), title="Pasted rows")
    storage.put_session(session)
    user = UserMessage(session_id=session.id, time=MessageTime(completed=1))
    info = summarize(1, BODY)
    storage.put_all(messages=[user], parts=[
        TextPart(session_id=session.id, message_id=user.id, text=BODY, paste=info),
        TextPart(session_id=session.id, message_id=user.id, text=f"Count {chip(info)}"),
    ])
    storage.close()
    shown = cli("sessions", "show", session.id)
    assert shown.returncode == 0, shown.stderr
    assert f"Count {chip(info)}" in shown.stdout and "row 1:" in shown.stdout  # the chip and its first line
    assert "row 2:" not in shown.stdout and "\x1b" not in shown.stdout
    exported = cli("sessions", "export", session.id, "-o", str(tmp_path / "out.md"))
    assert exported.returncode == 0, exported.stderr
    markdown = (tmp_path / "out.md").read_text()
    assert markdown.index(f"Count {chip(info)}") < markdown.index(f"<details><summary>{chip(info)}</summary>")
    assert BODY in markdown
