"""A compacted conversation for snapshot tests and screenshots: the divider with its figures, the summary folded
under it, and the status line's labelled figures; registered in `scenes.SCENES`."""

from __future__ import annotations

from decimal import Decimal

from agent_tui.core.models import AssistantMessage, MessageTime, TextPart, TokenUsage
from tests.tui import scenes
from tests.tui.scenes import Scene, add_exchange, make_app, prepare, service_for, sidebar_sessions


def compacted_session() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    first = add_exchange(service, current, 1, "Why does the upload test fail on CI?",
                         "The test writes into `/tmp` and **two jobs share it**; give each run its own folder.")
    summary = AssistantMessage(
        id="msg_scene01c", session_id=current.id, provider="anthropic", model="claude-sonnet-4-5", summary=True,
        time=MessageTime(created=first.time.created + 20_000, completed=first.time.created + 26_000),
        tokens=TokenUsage(input=18_700, output=1_240), context_tokens=1_240, cost=Decimal("0.0747"),
    )
    service.storage.put_all(messages=[summary], parts=[TextPart(
        id="prt_scene01c", session_id=current.id, message_id=summary.id,
        text="The user asked why the upload test fails on CI: two jobs shared `/tmp`.")])
    later = current.model_copy(update={"time": current.time.model_copy(
        update={"updated": current.time.updated + 60_000})})
    add_exchange(service, later, 2, "Then make the folder per test.", "Done: `tmp_path` now gives each test one.")
    return Scene(make_app(service, session_id=current.id))


scenes.SCENES["compacted_session"] = compacted_session
