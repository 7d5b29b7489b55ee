"""Control characters from a model, a tool or a title are shown escaped on the TUI, never sent raw (issue 10)."""

from __future__ import annotations

from agent_tui.core.terminal_text import has_controls
from agent_tui.testing.fake_llm import Reply, text, tool_call
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for

HOSTILE = r"printf 'before\033]52;c;cHduZWQ=\007\033[2J\033]0;owned\007\000after\n'"


def raw_controls(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every rendered cell's text that still holds a control character (what would reach the terminal)."""
    strips = app.screen._compositor.render_strips()
    return [segment.text for strip in strips for segment in strip if has_controls(segment.text)]


async def test_tool_output_reply_text_and_title_controls_are_escaped_on_screen(make_app, llm, title_llm):
    llm.add(Reply.of(tool_call("bash", {"command": HOSTILE, "description": "emit escapes"}, id="b1")))
    llm.add(Reply.of(text("Reply with \x1b[31mred\x1b[0m and a bell\x07 and \x9b C1.")))
    title_llm.add(Reply.of(text("Title \x1b]0;pwn\x07 here")))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        service = app.service
        await wait_for(pilot, lambda: service.list() and not service.busy_sessions(), what="the turn")
        await wait_for(pilot, lambda: "Title" in service.list()[0].title, what="the title")
        await pilot.pause(0.2)
        transcript = app.main.query_one("Transcript")
        for block in getattr(transcript, "blocks", []):
            if hasattr(block, "set_expanded"):
                block.set_expanded(True)
        transcript.refresh()
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert raw_controls(app) == []
        assert "\\x1b[31mred" in shown and "\\x07" in shown
        assert "\\x1b]52;c;" in shown or "\\x1b" in shown
        assert "Title \\x1b]0;pwn" in shown
