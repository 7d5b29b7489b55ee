"""What tells sessions apart in the sidebar: message count always, and the first message for same-title ones.

Counts are one indexed query per session, cached until the session changes. The first message is read only
for sessions whose title another listed session shares (two "Fix the tests" sessions), once per session: a
first message never changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_tui.core.models import TextPart, UserMessage
from agent_tui.core.terminal_text import escape_controls

if TYPE_CHECKING:
    from agent_tui.core.models import Session
    from agent_tui.core.session.service import SessionService

PREVIEW_CHARS = 60
MAX_PREVIEWS_PER_BUILD = 40  # a list of 200 untitled sessions must not read 200 histories in one frame


class SessionDetails:
    def __init__(self, service: SessionService) -> None:
        self._service = service
        self._counts: dict[str, tuple[int, int]] = {}  # session id → (updated time, message count)
        self._previews: dict[str, str] = {}

    def count(self, session: Session) -> int:
        cached = self._counts.get(session.id)
        if cached is not None and cached[0] == session.time.updated:
            return cached[1]
        count = self._service.storage.count_messages(session.id)
        self._counts[session.id] = (session.time.updated, count)
        return count

    def previews(self, sessions: list[Session]) -> dict[str, str]:
        """First-message previews for the sessions whose title is not unique in `sessions`."""
        seen: dict[str, int] = {}
        for session in sessions:
            seen[session.title] = seen.get(session.title, 0) + 1
        budget = MAX_PREVIEWS_PER_BUILD
        out: dict[str, str] = {}
        for session in sessions:
            if seen[session.title] < 2:
                continue
            if session.id not in self._previews:
                if budget <= 0:
                    continue
                budget -= 1
                self._previews[session.id] = self._first_message(session.id)
            if self._previews[session.id]:
                out[session.id] = self._previews[session.id]
        return out

    def _first_message(self, session_id: str) -> str:
        for message in self._service.storage.list_messages(session_id):
            if isinstance(message.info, UserMessage):
                text = " ".join(p.text for p in message.parts
                                if isinstance(p, TextPart) and not p.synthetic and p.paste is None)
                text = " ".join(escape_controls(text).split())
                return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
        return ""
