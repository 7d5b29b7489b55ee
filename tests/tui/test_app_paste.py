"""Pilot tests of long pastes (issue 10): a 100,000-line paste becomes a chip in the prompt, is sent whole to the
model and stored whole, shows as a chip in the log, and leaves no copy in the prompt, its undo history, the
prompt history or the log. Real app, scripted server, real database; pastes arrive as the terminal's Paste event.
"""

from __future__ import annotations

import json

from textual import events

from agent_tui.core.models import TextPart, UserMessage
from agent_tui.testing.fake_llm import Reply, delay, text
from agent_tui.tui.dialogs.picker import PickerDialog
from agent_tui.tui.transcript.blocks import UserBlock
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen

LINES = 100_000
CHIP = "[pasted text #1 · 100,000 lines · 6.4 MB]"


def long_text(lines: int = LINES) -> str:
    return "\n".join(f"{n:06d} GET /api/v1/items?page={n} 200 in {n % 97} ms from 10.0.0.{n % 250}"
                     for n in range(1, lines + 1))


async def paste(pilot, body: str) -> None:
    pilot.app.post_message(events.Paste(body))  # what the driver posts for a bracketed paste
    await pilot.pause()


def user_parts(service, session_id: str) -> list[list[TextPart]]:
    return [[p for p in m.parts if isinstance(p, TextPart)] for m in service.messages(session_id)
            if isinstance(m.info, UserMessage)]


def stored_pastes(service, session_id: str) -> list[TextPart]:
    return [p for parts in user_parts(service, session_id) for p in parts if p.paste is not None]


def replies(app) -> int:
    sid = app.main.session_id
    if sid is None or app.service.is_busy(sid):
        return 0
    return sum(m.info.role == "assistant" and m.info.time.completed is not None for m in app.service.messages(sid))


async def test_a_long_paste_becomes_a_chip_and_the_prompt_stays_small(make_app):
    body = long_text()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await type_text(pilot, "Why do these fail? ")
        await paste(pilot, body)
        area = composer.input
        assert composer.text == f"Why do these fail? {CHIP}"
        assert area.document.line_count == 1
        assert area.cursor_location == (0, len(composer.text))
        assert CHIP in screen_text(app)
        # The undo history holds the chip, not the paste.
        edits = [e for batch in area.history._undo_stack for e in batch]
        assert sum(len(e.text) for e in edits) < 200
        assert [a.text for a in composer.pastes.all()] == [body]


async def test_sending_a_long_paste_stores_it_whole_sends_it_to_the_model_and_shows_a_chip(make_app, llm,
                                                                                           title_llm, tmp_path):
    llm.add(Reply.of(text("They all returned 200.")))
    body = long_text()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "Why do these fail? ")
        await paste(pilot, body)
        await type_text(pilot, " Be brief.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(app) == 1, what="the reply")
        await wait_for(pilot, lambda: "They all returned 200." in screen_text(app), what="the reply on screen")
        session_id = app.main.session_id
        # Stored whole, in the real database, with the typed text keeping the chip.
        [parts] = user_parts(app.service, session_id)
        [stored] = [p for p in parts if p.paste is not None]
        assert stored.text == body
        assert stored.paste.lines == LINES and stored.paste.number == 1
        assert [p.text for p in parts if p.paste is None] == [f"Why do these fail? {CHIP} Be brief."]
        # The model read all of it, before the question, tagged with the chip's number.
        sent = llm.requests[0].messages[-1]["content"]
        assert sent.startswith('<pasted_text number="1" lines="100000">\n000001 GET')
        assert body in sent and sent.endswith(f"Why do these fail? {CHIP} Be brief.")
        # The log shows the chip and one line for the paste, never its lines.
        screen = screen_text(app)
        assert CHIP in screen and "└ pasted text #1 · 100,000 lines · 6.4 MB  000001 GET" in screen
        assert "000002 GET" not in screen
        log = app.main.transcript
        [block] = [b for b in log.blocks if isinstance(b, UserBlock)]
        assert len(block.lines(log._render_context())) == 2
        # Nothing on the TUI side keeps the paste: not the log, not the prompt, not the prompt history.
        assert [p.paste.lines for p in block.texts if p.paste is not None] == [LINES]
        assert all(not p.text for p in block.texts if p.paste is not None)
        assert not app.main.composer.pastes and app.main.composer.text == ""
        assert not app.main.composer.input.history._undo_stack
        assert app.history.entries == [f"Why do these fail? {CHIP} Be brief."]
        saved = (tmp_path / "history.json").read_text()
        assert len(saved) < 1000 and stored.id in saved


async def test_a_reopened_session_shows_the_chip_and_the_model_still_reads_the_paste(make_app, make_service, llm,
                                                                                     title_llm):
    llm.add(Reply.of(text("Read them.")), Reply.of(text("Still there.")))
    body = long_text(1_000)
    service = make_service()
    first = make_app(service)
    async with first.run_test(size=SIZE) as pilot:
        await paste(pilot, body)
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(first) == 1, what="the reply")
        session_id = first.main.session_id
    again = make_app(make_service(), session_id=session_id)  # the same database, read again
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Read them." in screen_text(again), what="the session")
        assert "└ pasted text #1 · 1,000 lines" in screen_text(again) and "000002 GET" not in screen_text(again)
        await type_text(pilot, "and now?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(again) == 2, what="the second reply")
    history = llm.requests[1].messages
    assert any(m["role"] == "user" and body in m["content"] for m in history)


async def test_backspace_or_delete_on_a_chip_removes_it_and_its_paste(make_app, llm, title_llm):
    llm.add(Reply.of(text("Got the second one.")))
    first, second, third = long_text(300), long_text(400), long_text(500)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await paste(pilot, first)
        await pilot.press("backspace")
        assert composer.text == "" and not composer.pastes
        await paste(pilot, second)
        await type_text(pilot, " and ")
        await paste(pilot, third)
        chip_two, chip_three = (a.token for a in composer.pastes.all())
        assert composer.text == f"{chip_two} and {chip_three}"
        # ← steps over a chip as over one character; Delete before it removes it whole.
        await pilot.press("left")
        assert composer.input.cursor_location == (0, len(f"{chip_two} and "))
        await pilot.press("delete")
        assert composer.text == f"{chip_two} and " and len(composer.pastes) == 1
        # Typing inside a chip (after a click) types after it: the chip stays whole.
        composer.input.move_cursor((0, 5))
        await type_text(pilot, "x")
        assert composer.text == f"{chip_two}x and "
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(app) == 1, what="the reply")
        assert [p.text for p in stored_pastes(app.service, app.main.session_id)] == [second]
    assert second in llm.requests[0].messages[-1]["content"] and third not in llm.requests[0].messages[-1]["content"]


async def test_a_chip_whose_text_was_edited_no_longer_sends_its_paste(make_app, llm, title_llm):
    llm.add(Reply.of(text("ok")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await paste(pilot, long_text(300))
        await pilot.press("shift+left", "shift+left", "shift+left", "backspace")  # cuts the end of the chip
        assert not composer.pastes
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(app) == 1, what="the reply")
        assert stored_pastes(app.service, app.main.session_id) == []


async def test_a_small_paste_goes_into_the_prompt_as_text(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await paste(pilot, "line one\nline two\nline three")
        assert composer.text == "line one\nline two\nline three" and not composer.pastes
        composer.clear()
        await paste(pilot, long_text(199))  # just under the line limit
        assert composer.input.document.line_count == 199 and not composer.pastes
        composer.clear()
        await paste(pilot, "x" * 20_001)  # one very long line
        assert composer.text == "[pasted text #1 · 1 line · 20 KB]" and len(composer.pastes) == 1


async def test_up_brings_a_sent_paste_back_as_a_chip_read_from_the_database_when_sent(make_app, llm, title_llm):
    llm.add(Reply.of(text("First.")), Reply.of(text("Second.")))
    body = long_text(2_000)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await type_text(pilot, "Look: ")
        await paste(pilot, body)
        sent_text = composer.text
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(app) == 1, what="the first reply")
        await type_text(pilot, "draft ")
        await paste(pilot, long_text(300))
        draft = composer.text
        await pilot.press("up")
        assert composer.text == sent_text
        [recalled] = composer.pastes.all()
        assert recalled.text is None and recalled.source_part is not None  # a reference, not a copy
        await pilot.press("down")  # back to the draft, with its own paste
        assert composer.text == draft and composer.pastes.all()[0].text == long_text(300)
        await pilot.press("up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(app) == 2, what="the second reply")
        assert [p.text for p in stored_pastes(app.service, app.main.session_id)] == [body, body]


async def test_a_prompt_history_file_from_an_older_version_still_loads(make_app, tmp_path):
    (tmp_path / "history.json").write_text(json.dumps(["old one", {"text": "new [pasted text #1 · 3 lines · 9 B]",
                                                                    "pastes": [{"part_id": "prt_x", "summary": {
                                                                        "number": 1, "lines": 3, "size": 9}}]},
                                                       {"broken": True}]))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.history.entries == ["old one", "new [pasted text #1 · 3 lines · 9 B]"]
        await pilot.press("up")
        assert app.main.composer.pastes.all()[0].source_part == "prt_x"


async def test_a_paste_with_a_builtin_command_is_kept_and_explained(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await type_text(pilot, "/models ")
        await paste(pilot, long_text(300))
        text_before = composer.text
        await pilot.press("enter")
        await pilot.pause()
        assert composer.text == text_before and len(composer.pastes) == 1
        assert any("pasted text" in str(n.message) for n in app._notifications)


async def test_esc_puts_a_queued_prompt_back_with_its_chips_and_their_pastes(make_app, llm, title_llm):
    llm.add(Reply.of(text("Busy. "), delay(30), text("never sent")))
    first, second = long_text(300), long_text(400)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await type_text(pilot, "start")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Busy." in screen_text(app), what="the first chunk")
        await type_text(pilot, "then ")
        await paste(pilot, first)
        queued_text = composer.text
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.status.queued == 1, what="the queued prompt")
        await paste(pilot, second)  # typed meanwhile: it stays after the queued prompt
        typed = composer.text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.service.busy_sessions(), what="the abort")
        assert composer.text == f"{queued_text}\n\n{typed}"
        assert [a.text for a in composer.pastes.in_text(composer.text)] == [first, second]


async def test_ctrl_r_brings_a_sent_paste_back_as_a_chip(make_app, llm, title_llm):
    llm.add(Reply.of(text("First.")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await paste(pilot, long_text(300))
        sent_text = composer.text
        await pilot.press("enter")
        await wait_for(pilot, lambda: replies(app) == 1, what="the reply")
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, PickerDialog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: composer.text == sent_text, what="the prompt back")
        [recalled] = composer.pastes.all()
        assert recalled.text is None and recalled.summary.lines == 300


async def test_a_recalled_paste_whose_session_was_deleted_is_not_sent_and_the_prompt_stays(make_app, tmp_path):
    entry = "again [pasted text #1 · 3 lines · 9 B]"
    (tmp_path / "history.json").write_text(json.dumps([{"text": entry, "pastes": [
        {"part_id": "prt_gone", "summary": {"number": 1, "lines": 3, "size": 9}}]}]))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.main.composer
        await pilot.press("up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: composer.text == entry, what="the prompt back")
        assert any("no longer stored" in str(n.message) for n in app._notifications)
        assert len(composer.pastes) == 1 and app.service.list() == []
