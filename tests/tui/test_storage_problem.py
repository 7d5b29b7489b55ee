"""The database gets locked by another process while the TUI is in use (issue 10): the reply still streams onto
the screen, a notification names the file, and once the lock is gone everything is saved and the TUI says so."""

from __future__ import annotations

import sqlite3

from agent_tui.testing.fake_llm import Reply, text
from tests.faults.test_storage_faults import LockHolder
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for


def notes(app, text: str) -> bool:  # type: ignore[no-untyped-def]
    return any(text in str(n.message) for n in app._notifications)


async def send_first_turn(pilot, app, llm, title_llm, title: str) -> None:  # type: ignore[no-untyped-def]
    """Script two replies and a title, and send the first prompt: the database then holds a titled session."""
    llm.add(Reply.of(text("first reply")))
    llm.add(Reply.of(text("second reply while locked")))
    title_llm.add(Reply.of(text(title)))
    service = app.service
    await type_text(pilot, "one")
    await pilot.press("enter")
    await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the first turn")
    await wait_for(pilot, lambda: service.list()[0].title == title, what="the title")


async def test_a_locked_database_is_shown_and_waited_out_without_losing_the_screen(make_app, llm, title_llm):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        await send_first_turn(pilot, app, llm, title_llm, "Locked test")
        holder = LockHolder(service.storage.path)
        try:
            await type_text(pilot, "two")
            await pilot.press("enter")
            await wait_for(pilot, lambda: service.storage_problem is not None, what="the storage problem", tries=1500)
            await wait_for(pilot, lambda: "second reply while locked" in screen_text(app), what="the reply")
            await wait_for(pilot, lambda: notes(app, "Cannot save to the database"), what="the notification")
            assert notes(app, str(service.storage.path))  # the file is named
            assert "first reply" in screen_text(app)  # and nothing on screen was lost
        finally:
            holder.release()
        await wait_for(pilot, lambda: service.storage_problem is None, what="the retry", tries=1500)
        await wait_for(pilot, lambda: notes(app, "every pending change"), what="the saved notice")
    db = sqlite3.connect(service.storage.path)
    try:
        texts = [r[0] for r in db.execute("SELECT json_extract(data, '$.text') FROM parts WHERE "
                                          "json_extract(data, '$.type') = 'text'")]
    finally:
        db.close()
    assert "second reply while locked" in texts and "two" in texts
