"""The service as one tool call sees it: its session, abort signal, permission prompt, live updates and files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_tui.core.models import ToolPart
from agent_tui.core.permission import Policy
from agent_tui.core.session.approval import ApprovalClock
from agent_tui.core.session.runs import Run
from agent_tui.core.text_encoding import escape_surrogates
from agent_tui.core.tools.access import ToolAccess
from agent_tui.core.tools.base import PermissionRequest, ToolContext

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService


def tool_context(service: SessionService, run: Run, part: ToolPart, depth: int,
                 policy: Policy | None = None) -> ToolContext:
    writer, scrub = service._writer, service._scrub

    def update(new_title: str | None, metadata: dict[str, object]) -> None:
        if new_title:
            part.state.title = new_title
        part.state.metadata.update(scrub.value(escape_surrogates(metadata)))
        writer.part(part, force=False)

    async def ask(request: PermissionRequest) -> None:
        clock = ApprovalClock(part, writer.part)  # the wait shows, and is not the tool's duration
        await service.permissions.ask(part.session_id, part.call_id, request, policy, on_wait=clock)

    access = service.access.for_session(part.session_id) if service.access is not None else ToolAccess()
    return ToolContext(
        session_id=part.session_id, message_id=part.message_id, call_id=part.call_id,
        directory=service.project.directory, root=service.project.root, abort=run.abort, ask=ask, update=update,
        file_times=service.file_times(part.session_id), host=service, agent_depth=depth, scrub=scrub,
        files=access.files, commands=access.commands,
    )
