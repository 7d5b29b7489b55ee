"""A bash command waiting for approval, for snapshot tests and screenshots: the dialog shows the command once
(its description as the title), why it asks and the exact commands "always" would allow; behind it the tool
panel and the status line say "waiting for approval". Registered in `scenes.SCENES`."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from agent_tui.core.events import PartUpdated, PermissionAsked, SessionBusy
from agent_tui.core.models import ToolPart, ToolState
from agent_tui.core.session.recovery import OWNER
from tests.tui import scenes
from tests.tui.scenes import NOW_MS, Scene, add_exchange, make_app, prepare, service_for, sidebar_sessions, steady

COMMAND = 'for i in $(seq 1 3); do python3 -c "print($i)"; done'


def bash_permission() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    bash = ToolPart(session_id=current.id, message_id="", call_id="call_bash", tool="bash", state=ToolState(
        status="running", title=COMMAND, time_start=NOW_MS - 2_000,
        input={"command": COMMAND, "description": "Print the numbers 1 to 3 with Python"},
        metadata={"waiting_for_approval": True},
    ))
    reply = add_exchange(service, current, 1, "Count to three in Python", "I'll run a small loop.", running=True)
    reply.owner = OWNER  # this process runs the turn: not a crashed one to close on opening
    service.storage.put_message(reply)
    app = make_app(service, session_id=current.id)
    always = ["seq", "seq *", 'python3 -c "print($i)"']

    async def ask(pilot: Pilot[Any]) -> None:
        service.bus.publish(SessionBusy(session_id=current.id))
        # The call arrives live (history loaded from storage is finished by definition).
        service.bus.publish(PartUpdated(part=bash.model_copy(update={"session_id": current.id,
                                                                     "message_id": reply.id})))
        service.bus.publish(PermissionAsked(
            id="per_bash", session_id=current.id, permission="bash", title=COMMAND, pattern=", ".join(always),
            call_id="call_bash", metadata={
                "command": COMMAND, "description": "Print the numbers 1 to 3 with Python", "always": always,
                "why": 'The configuration asks before running seq 1 3, python3 -c "print($i)".'},
        ))
        await pilot.pause()
        await steady(pilot)

    return Scene(app, run_before=ask)


scenes.SCENES["bash_permission"] = bash_permission
