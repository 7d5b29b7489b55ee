"""The UI never waits on a database lock (issue 10 follow-up): another process holds `BEGIN EXCLUSIVE` while the
TUI sends, and the app keeps handling keys and shows the problem while the lock is still held."""

from __future__ import annotations

from tests.faults.test_storage_faults import LockHolder
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for
from tests.tui.test_storage_problem import notes, send_first_turn

HOLD_LIMIT = 60.0  # the holder lets go by itself after this: a UI stuck on the lock still lets the test end


async def test_keys_are_handled_and_the_problem_shown_while_another_process_holds_the_lock(
        make_app, llm, title_llm):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        await send_first_turn(pilot, app, llm, title_llm, "Lock test")
        # However long SQLite would wait for a lock on this connection, the UI must not wait on it.
        service.storage.set_busy_timeout(HOLD_LIMIT * 2)
        holder = LockHolder(service.storage.path, limit=HOLD_LIMIT)
        try:
            await type_text(pilot, "two")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "second reply while locked" in screen_text(app), what="the reply")
            await type_text(pilot, "x")
            assert app.main.composer.text == "x"  # the key was handled...
            await wait_for(pilot, lambda: notes(app, "Cannot save to the database"), what="the notification")
            assert holder.holding  # ...and the problem shown, while the other process still holds the lock
        finally:
            holder.release()
        await wait_for(pilot, lambda: service.storage_problem is None, what="the retry")
        await wait_for(pilot, lambda: notes(app, "every pending change"), what="the saved notice")
    assert [m.info.role for m in service.messages(service.list()[0].id)] == ["user", "assistant"] * 2
