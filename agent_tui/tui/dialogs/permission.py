"""A tool asks for permission: what it wants to do, why it asks, a preview (the diff of an edit, the command),
and three answers — allow once, always for this session, reject with an optional message for the model.

Keys: 1/y allow once · 2/a always · 3/n reject · m type a message (Enter in it rejects with the message).
"""

from __future__ import annotations

from typing import Literal

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.core.events import PermissionAsked
from agent_tui.core.terminal_text import escape_controls
from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.diff_view import DiffStyles, DiffView

Reply = Literal["once", "always", "reject"]
PermissionAnswer = tuple[Reply, str | None]

PREVIEW_LINES = 400
PREVIEW_HEIGHT = 16  # rows of preview when the terminal is tall enough; it shrinks so the answers stay on screen
WHY = {
    "edit": "It wants to change a file.",
    "bash": "Running this command needs your approval.",
    "external_directory": "The path is outside the project folder.",
    "webfetch": "It wants to fetch a web page.",
}


def preview_of(event: PermissionAsked, theme: dict[str, str] | None = None) -> RenderableType | None:
    diff = event.metadata.get("diff")
    if isinstance(diff, str) and diff.strip():
        lines = diff.splitlines()[:PREVIEW_LINES]
        return DiffView("\n".join(lines), DiffStyles.from_theme(theme or {}))
    command = event.metadata.get("command")
    if isinstance(command, str) and command.strip():
        from rich.syntax import Syntax  # pygments: loaded when a command is first asked about, not at start-up

        return Syntax(escape_controls(command), "bash", theme="ansi_dark", word_wrap=True, background_color="default")
    return None


class PermissionDialog(Dialog[PermissionAnswer]):
    CSS_PATH = dialog_css("dialog_permission.tcss")
    BINDINGS = [
        Binding("1,y", "answer('once')", "Allow once", show=False),
        Binding("2,a", "answer('always')", "Always", show=False),
        Binding("3,n", "answer('reject')", "Reject", show=False),
        Binding("m", "message", "Message", show=False),
    ]

    def __init__(self, event: PermissionAsked, *, session_title: str | None = None) -> None:
        super().__init__()
        self.event = event
        self.session_title = session_title

    @property
    def request_id(self) -> str:
        return self.event.id

    def compose(self) -> ComposeResult:
        event = self.event
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Content.assemble("Permission needed · ", (event.permission, "bold $warning")),
                         classes="dialog-title")
            if self.session_title:
                yield Static(Content.styled(f"in session “{escape_controls(self.session_title)}”", "$text-muted"))
            preview = preview_of(event, self.app.theme_variables)
            title = event.title
            if event.permission == "bash":  # the preview shows the command: say what it is for instead
                title = str(event.metadata.get("description") or "")
            if title:
                yield Static(escape_controls(title), id="permission-title", markup=False)
            why = event.metadata.get("why")
            yield Static(Content.styled(escape_controls(why) if isinstance(why, str) and why else
                                        WHY.get(event.permission, "This tool asks before it runs."),
                                        "$text-muted"), id="permission-why")
            if preview is not None:
                with VerticalScroll(id="permission-preview"):
                    yield Static(preview)
            always = f"every {event.permission} request" if event.pattern in (None, "*") else event.pattern
            yield OptionList(
                Option(Content.assemble(("1 ", "bold"), "Allow once"), id="once"),
                Option(Content.assemble(("2 ", "bold"), "Always allow in this session  ",
                                        (f"({always})", "$text-muted")), id="always"),
                Option(Content.assemble(("3 ", "bold"), "Reject"), id="reject"),
                id="permission-choices",
            )
            yield Input(placeholder="m: tell the model why (enter rejects with this message)",
                        id="permission-message")
            yield Static("1/y once · 2/a always · 3/n reject · esc stop the reply", classes="dialog-hint")

    def on_mount(self) -> None:
        choices = self.query_one("#permission-choices", OptionList)
        choices.highlighted = 0
        choices.focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_preview)  # the other parts must be laid out first

    def _fit_preview(self) -> None:
        """Give the preview what the answers below it leave of the screen (the dialog may use 90% of it)."""
        preview = next(iter(self.query("#permission-preview")), None)
        if preview is None:
            return
        dialog = self.query_one("#dialog")
        others = sum(child.outer_size.height + child.styles.margin.height for child in dialog.children
                     if child is not preview)
        chrome = dialog.styles.gutter.height + preview.styles.margin.height
        room = int(self.size.height * 0.9) - others - chrome
        height = max(2, min(PREVIEW_HEIGHT, room))
        if preview.styles.max_height != height:
            preview.styles.max_height = height

    def action_answer(self, reply: Reply) -> None:
        message = self.query_one("#permission-message", Input).value.strip() or None
        self.dismiss((reply, message if reply == "reject" else None))

    def action_message(self) -> None:
        self.query_one("#permission-message", Input).focus()

    @on(OptionList.OptionSelected, "#permission-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id in ("once", "always", "reject"):
            self.action_answer(event.option.id)  # type: ignore[arg-type]

    @on(Input.Submitted, "#permission-message")
    def _reject_with_message(self) -> None:
        self.action_answer("reject")
