"""A scene of long pastes for snapshot tests and screenshots: a sent message whose 12,480-line log shows as a chip
and one line in the transcript, and a new 100,000-line paste waiting as a chip in the prompt. Fixed records;
registered in `scenes.SCENES`."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.pilot import Pilot

from agent_tui.core.models import TextPart
from agent_tui.core.session.pastes import chip, summarize
from tests.tui import scenes
from tests.tui.scenes import Scene, add_exchange, make_app, prepare, service_for, sidebar_sessions, steady


def log_lines(count: int) -> str:
    return "\n".join(f"2026-01-01T09:{n // 600 % 60:02d}:{n // 10 % 60:02d} upload worker={n % 4} "
                     f"{'ERROR timeout after 30 s' if n % 97 == 0 else 'INFO chunk stored'} id={n:06d}"
                     for n in range(count))


def long_paste() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    old_log = log_lines(12_480)
    info = summarize(1, old_log)
    reply = add_exchange(service, current, 1, f"Why does the upload fail? {chip(info)}",
                         "The log has 129 timeouts, all on worker 0 after 30 s: the upload "
                         "of large chunks outlives the worker's socket timeout.")
    service.storage.put_part(TextPart(id="prt_scene01_", session_id=current.id, message_id=reply.parent_id or "",
                                      text=old_log, paste=info))
    app = make_app(service, session_id=current.id)

    async def paste(pilot: Pilot[Any]) -> None:
        await pilot.press(*"Same after the fix? ")
        app.post_message(events.Paste(log_lines(100_000)))
        await pilot.pause()
        await steady(pilot)

    return Scene(app, run_before=paste)


scenes.SCENES.update({"long_paste": long_paste})
