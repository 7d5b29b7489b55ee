"""A minimal app around the Transcript for pilot and snapshot tests (fixed clock, fixed records)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from agent_tui.core.models import MessageWithParts
from agent_tui.tui.transcript import Transcript, demo

FIXED_NOW = demo.T0 + 70_000


class TranscriptApp(App[None]):
    def __init__(self, messages: list[MessageWithParts] | None = None) -> None:
        super().__init__()
        self.messages = messages or []

    def compose(self) -> ComposeResult:
        yield Transcript(id="transcript", clock=lambda: FIXED_NOW)

    def on_mount(self) -> None:
        self.query_one(Transcript).load(self.messages)


def visible_text(log: Transcript) -> str:
    """The lines the log shows now, as plain text."""
    return "\n".join(log.render_line(y).text.rstrip() for y in range(log.scrollable_content_region.height))


async def settle(pilot, log: Transcript) -> None:  # type: ignore[no-untyped-def]
    """Wait until every change given to the log is rendered and painted."""
    for _ in range(1500):  # up to 30 s: a loaded machine paints slowly
        if log.settled:
            break
        await pilot.pause(0.02)
    await pilot.pause()
