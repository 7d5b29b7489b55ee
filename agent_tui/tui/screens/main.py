"""The main screen: session sidebar, message log, prompt and status line for the session on screen.

It owns which session is shown and routes engine events (from the bridge) to the widgets that display them.
A new session is created only when the first message is sent, so opening the app leaves no empty sessions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from agent_tui.core.events import (
    Event,
    FileChanged,
    McpStatusChanged,
    MessageUpdated,
    PartDelta,
    PartUpdated,
    SessionBusy,
    SessionDeleted,
    SessionIdle,
    SessionUpdated,
)
from agent_tui.core.models import AssistantMessage, Session, ToolPart
from agent_tui.core.terminal_text import escape_controls
from agent_tui.resources import style_path
from agent_tui.tui import format as fmt
from agent_tui.tui.bridge import SIDEBAR_EVENTS, TRANSCRIPT_EVENTS, session_of
from agent_tui.tui.errors import GuardedPump
from agent_tui.tui.transcript import Transcript
from agent_tui.tui.widgets.prompt import PromptComposer, PromptInput
from agent_tui.tui.widgets.sidebar import Sidebar
from agent_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp


SIDEBAR_MIN_WIDTH = 100  # terminal columns below which the sidebar starts hidden


W = TypeVar("W", bound=Widget)

class MainScreen(GuardedPump, Screen[None]):
    CSS_PATH = str(style_path("main.tcss"))
    AUTO_FOCUS = "#prompt-input"

    def __init__(self) -> None:
        super().__init__(id="main-screen")
        self.session_id: str | None = None
        self._sidebar_chosen = False  # once the user toggles the sidebar, the width no longer decides
        self._widgets: dict[type[Widget], Widget] = {}

    def on_resize(self, event: events.Resize) -> None:
        # In a narrow terminal the conversation needs the room more than the session list does.
        if not self._sidebar_chosen:
            self.sidebar.display = event.size.width >= SIDEBAR_MIN_WIDTH

    @property
    def agent(self) -> AgentApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        agent = self.agent
        with Horizontal(id="body"):
            yield Sidebar(agent.service, id="sidebar")
            with Vertical(id="main"):
                yield Static(id="welcome")
                yield Transcript(id="transcript")
                yield PromptComposer(root=agent.service.project.directory, history=agent.history, id="composer")
                yield StatusLine(id="status")

    def on_mount(self) -> None:
        self.show_session(self.agent.first_session())
        self.watch(self.status, "busy", self.composer.input.hold_cursor)

    # --- widgets ------------------------------------------------------------------------------------------

    # Looked up once: `query_one` walks the screen's widgets, and `route` asked for these several times for every
    # streamed chunk (a third of its cost). The screen composes them once and never replaces them.

    def _one(self, kind: type[W]) -> W:
        widget = self._widgets.get(kind)
        if widget is None or widget.parent is None:
            widget = self._widgets[kind] = self.query_one(kind)
        return widget  # type: ignore[return-value]

    @property
    def transcript(self) -> Transcript:
        return self._one(Transcript)

    @property
    def composer(self) -> PromptComposer:
        return self._one(PromptComposer)

    @property
    def sidebar(self) -> Sidebar:
        return self._one(Sidebar)

    @property
    def status(self) -> StatusLine:
        return self._one(StatusLine)

    # --- the session on screen ----------------------------------------------------------------------------

    def show_session(self, session_id: str | None) -> None:
        """Put `session_id` on screen (None: a new, not yet created session)."""
        service = self.agent.service
        session = service.get(session_id) if session_id else None
        self.session_id = session.id if session else None
        transcript = self.transcript
        messages = service.messages(session.id) if session else []
        transcript.clear()
        if messages:
            transcript.load(messages)
        self._show_welcome(not messages)
        self.sidebar.set_current(self.session_id)
        self._show_session_status(session, messages)
        self.composer.show_queued([q.text for q in self.agent.runner.queued(self.session_id or "")])
        self.agent.sub_title = escape_controls(session.title) if session else "New session"
        self.agent.permission_queue.show_next()

    def _show_welcome(self, show: bool) -> None:
        """An empty session shows what to do instead of an empty log."""
        welcome = self.query_one("#welcome", Static)
        if show:
            spec, _ = self.agent.model_for(self.session_id)
            keys = {k: v.split(",")[0] for k, v in self.agent.key_help_by_id()}
            welcome.update(Content("\n").join([
                Content.styled("agent-tui", "bold $accent"),
                Content.styled(fmt.display_path(self.agent.service.project.directory), "$text-muted"),
                Content(""),
                Content.assemble("model  ", (spec or "none configured", "bold")),
                Content(""),
                Content("Type a message and press Enter."),
                Content.styled(
                    f"/ commands · @ attach a file · {keys['models']} model · {keys['sessions']} sessions · "
                    f"{keys['help']} help", "$text-muted"),
            ]))
        welcome.display = show
        self.transcript.display = not show

    def _show_session_status(self, session: Session | None, messages: list) -> None:  # type: ignore[type-arg]
        status = self.status
        last = next((m.info for m in reversed(messages) if isinstance(m.info, AssistantMessage)), None)
        status.show_turn(last)
        status.wait.reset()
        status.cost = session.cost if session else 0  # type: ignore[assignment]
        self.refresh_busy()
        status.queued = len(self.agent.runner.queued(self.session_id or ""))
        status.approval = bool(self.session_id) and bool(self.agent.service.permissions.pending(self.session_id))
        self.agent.show_agent()
        self.refresh_model()

    def refresh_busy(self) -> None:
        self.status.busy = bool(self.session_id) and self.agent.runner.running(self.session_id or "")

    def refresh_model(self) -> None:
        """Show the model the next message will use, and its context window."""
        spec, context = self.agent.model_for(self.session_id)
        self.status.model = spec or "no model"
        self.status.context_window = context
        if self.query_one("#welcome").display:
            self._show_welcome(True)

    # --- routing engine events ----------------------------------------------------------------------------

    def route(self, event: Event) -> None:
        session_id = session_of(event)
        on_screen = session_id is not None and session_id == self.session_id
        if on_screen and type(event) is PartDelta:
            self._route_delta(event)
            return
        if isinstance(event, SIDEBAR_EVENTS):
            self.sidebar.apply(event)
        if on_screen:
            self.status.track(event)
        if on_screen and isinstance(event, TRANSCRIPT_EVENTS):
            if not self.transcript.display:
                self._show_welcome(False)
            self.transcript.apply(event)
        match event:
            case SessionUpdated(session=session) if on_screen:
                self.status.cost = session.cost
                self.agent.sub_title = escape_controls(session.title)
            case MessageUpdated(message=AssistantMessage() as info) if on_screen:
                if info.time.completed is not None or info.tokens.total:
                    self.status.show_turn(info)
            case SessionBusy() if on_screen:
                self.status.busy = True
                self.status.waiting = True
            case PartUpdated(part=ToolPart() as part) if on_screen:
                # A tool call: the model is answering (streamed text takes `_route_delta`).
                self.status.waiting = False
                waiting = bool(part.state.metadata.get("waiting_for_approval"))
                self.status.approval = waiting or bool(self.agent.service.permissions.pending(self.session_id))
            case SessionIdle() if on_screen:
                self.status.busy = self.agent.runner.running(self.session_id or "")
                self.status.approval = False
            case SessionDeleted(session_id=session_id) if session_id == self.session_id:
                self.show_session(None)
            case McpStatusChanged(server=server, status=state):
                self.status.set_mcp(server, state)
            case FileChanged(change=change) if change != "modified":
                self.composer.forget_files()

    def _route_delta(self, event: PartDelta) -> None:
        # A streamed piece of text of the session on screen: most events of a reply (one per chunk), so only what
        # it can change, as the general path below would do it.
        status, transcript = self.status, self.transcript
        status.track(event)
        if not transcript.display:
            self._show_welcome(False)
        transcript.apply(event)
        if status.waiting:
            status.waiting = False
        approval = bool(self.agent.service.permissions.pending(self.session_id))
        if status.approval != approval:
            status.approval = approval

    @on(PromptInput.ScrollLog)
    def _scroll_log(self, event: PromptInput.ScrollLog) -> None:
        if not self.transcript.display:
            return
        if event.pages < 0:
            self.transcript.action_page_up()
        else:
            self.transcript.action_page_down()

    # --- sidebar ------------------------------------------------------------------------------------------

    @on(Sidebar.Selected)
    def _sidebar_selected(self, event: Sidebar.Selected) -> None:
        if event.session_id != self.session_id:
            self.show_session(event.session_id)
        self.composer.input.focus()

    def toggle_sidebar(self) -> None:
        self._sidebar_chosen = True
        sidebar = self.sidebar
        sidebar.display = not sidebar.display
        if not sidebar.display and sidebar.has_focus_within:
            self.composer.input.focus()
