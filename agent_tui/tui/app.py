"""The Textual app: its state, error handling and engine events; the main screen shows the session.

The app's behaviour lives in mixins, one group each: start-up (`startup_hooks`), Esc and quitting
(`quit_actions`), sending (`send_actions`), view and settings (`view_actions`), and the session, prompt,
transcript, agent, undo and engine actions. The keys are in `keymap`.

Start-up order matters: the service is created (no litellm, no mcp), the first frame is painted, and only then
litellm is warmed up in a thread, the file watcher started and the MCP servers launched.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import BindingType
from textual.worker import Worker, WorkerFailed, WorkerState

from agent_tui.core.custom_commands import load_commands
from agent_tui.core.events import (
    Event,
    McpStatusChanged,
    PermissionAsked,
    PermissionReplied,
    SessionBusy,
    SessionIdle,
    StorageProblem,
)
from agent_tui.core.session.service import SessionService
from agent_tui.core.terminal_text import escape_controls
from agent_tui.resources import style_path
from agent_tui.tui import commands
from agent_tui.tui.agent_actions import AgentActions
from agent_tui.tui.bridge import EngineEvents, EventBridge
from agent_tui.tui.engine_actions import EngineActions
from agent_tui.tui.errors import GuardedPump, InternalErrors
from agent_tui.tui.idle_collection import IdleCollection
from agent_tui.tui.keymap import APP_BINDINGS, KEYBINDS
from agent_tui.tui.permission_queue import PermissionQueue
from agent_tui.tui.prompt_actions import PromptActions
from agent_tui.tui.quit_actions import QuitActions
from agent_tui.tui.runner import ChatRunner
from agent_tui.tui.screens.main import MainScreen
from agent_tui.tui.send_actions import SendActions
from agent_tui.tui.session_actions import SessionActions
from agent_tui.tui.startup_hooks import HEAVY_MODULES, StartupHooks
from agent_tui.tui.state import PromptHistory
from agent_tui.tui.transcript.conversation import ends_something
from agent_tui.tui.transcript_actions import TranscriptActions
from agent_tui.tui.undo_actions import UndoActions
from agent_tui.tui.view_actions import ViewActions

__all__ = ["HEAVY_MODULES", "KEYBINDS", "AgentApp", "run_app"]

DEFAULT_THEME = "textual-dark"


class AgentApp(GuardedPump, StartupHooks, QuitActions, SendActions, ViewActions, AgentActions, EngineActions,
               SessionActions, PromptActions, TranscriptActions, UndoActions, App[int]):
    TITLE = "agent-tui"
    # With the main screen's own file (also its CSS_PATH): Textual re-parses every stylesheet to add a screen's file
    # that is not loaded yet, once more before the first frame.
    CSS_PATH: ClassVar[list[str]] = [str(style_path("app.tcss")), str(style_path("main.tcss"))]
    COMMANDS: ClassVar[set[Any]] = {commands.SlashCommandProvider}
    ENABLE_COMMAND_PALETTE = True
    # A mode rather than get_default_screen(): Textual loads a screen's CSS_PATH only for modes and pushes.
    MODES: ClassVar[dict[str, Any]] = {"main": MainScreen}
    DEFAULT_MODE: ClassVar[str] = "main"
    handle_exit_signals = False  # SIGTERM/SIGHUP quit cleanly; `run_app` turns it on
    stopped_by_signal: int | None = None
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        service: SessionService,
        *,
        session_id: str | None = None,
        continue_last: bool = False,
        history: PromptHistory | None = None,
        warm_up: bool = True,
    ) -> None:
        super().__init__()
        self.service = service
        self.history = history if history is not None else PromptHistory.load()
        self.runner = ChatRunner(self, service)
        self.bridge = EventBridge(service.bus, self)
        self.chosen_model: str | None = None  # picked in this run with the model picker
        self.mcp_states: dict[str, McpStatusChanged] = {}
        self.heavy_modules_at_first_frame: list[str] | None = None
        self._initial_session = session_id
        self._continue_last = continue_last
        self._warm_up = warm_up
        self.permission_queue = PermissionQueue(self)
        self.custom_commands = load_commands(service.project, reserved=commands.BUILTIN_NAMES)
        self.slash_commands = commands.CommandSet(self.custom_commands.commands.values())
        self._watcher: Any = None
        self._shut_down = False
        self._painted = False
        self.internal_errors = InternalErrors(self)
        self.idle_collection = IdleCollection(self)  # full gc passes between turns, not mid-reply
        self._apply_keybinds()
        self._apply_theme()

    # --- start-up -----------------------------------------------------------------------------------------

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]  # the default screen, under every dialog
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self.bridge.start()
        if self.handle_exit_signals:  # only a real run owns the process's signals (not tests)
            from agent_tui.tui.exit_signals import install_exit_signals

            install_exit_signals(self, self._quit)

    def report_internal_error(self, error: BaseException) -> None:
        self.internal_errors.report(error)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's default ends the app on any error. Once the app is on screen, an error in a widget is logged
        # and shown instead (see tui/errors.py); before that there is nothing to show it on, and while quitting
        # nothing left to save.
        if self.is_running and self._painted and not self._exit:
            self.report_internal_error(error.error if isinstance(error, WorkerFailed) else error)
            return
        super()._handle_exception(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers started with exit_on_error=False fail silently in Textual; ours must not.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_internal_error(event.worker.error)
        if event.worker.is_finished and event.worker.group.startswith("chat-") and self.screen_stack:
            self.main.refresh_busy()  # a run that failed to start never sends SessionIdle

    # --- engine events ------------------------------------------------------------------------------------

    def on_engine_events(self, message: EngineEvents) -> None:
        # The end of a streamed part or of a reply is painted before what follows it (status line, sidebar, the
        # next reply's start): those relayout the screen, which made the last words wait for a full repaint.
        for event in message.take(stop_after=ends_something):
            try:
                self.apply_engine_event(event)
            except Exception as error:  # one event's failure must not lose the ones after it
                self.report_internal_error(error)
        if message.bridge.pending and self.screen_stack:
            self.call_after_refresh(self.post_message, EngineEvents(message.bridge))

    def apply_engine_event(self, event: Event) -> None:
        if not self.screen_stack:
            return  # quitting: the screens are gone, and the engine still finishes what it was doing
        if isinstance(event, PermissionAsked):
            self.permission_queue.asked(event)
        elif isinstance(event, PermissionReplied):
            self.permission_queue.answered(event.id)
        elif isinstance(event, McpStatusChanged):
            self.mcp_states[event.server] = event
        elif isinstance(event, StorageProblem):  # the screen keeps everything; the database catches up later
            self.notify(escape_controls(event.message), title="Saved" if event.resolved else "Cannot save",
                        severity="information" if event.resolved else "error", timeout=8 if event.resolved else 30)
        self.undo_event(event)
        if isinstance(event, SessionBusy):
            self.idle_collection.turn_started()
        elif isinstance(event, SessionIdle):
            self.idle_collection.after_turn()
        if self.screen_stack:  # an event that arrives while the app closes has no screen left to show it
            self.main.route(event)


def run_app(directory: Path, *, session_id: str | None, continue_last: bool, model: str | None) -> int:
    """Open the project in `directory` and run the TUI until the user quits. Returns the exit status."""
    from agent_tui.core.config import ConfigError
    from agent_tui.core.exit_now import exit_now
    from agent_tui.core.storage import StorageError

    try:
        service = SessionService.open(directory, model=model)
    except (ConfigError, StorageError) as exc:
        print(f"agent-tui: {exc}", file=sys.stderr)
        return 2
    app = AgentApp(service, session_id=session_id, continue_last=continue_last)
    app.handle_exit_signals = True
    result = app.run()
    status = 0 if app.stopped_by_signal is not None else result if isinstance(result, int) else 0
    # The app stopped the engine before it exited (on a signal too): every turn is stored and the terminal
    # restored. Skip the interpreter's teardown, which takes seconds once litellm is loaded.
    service.storage.close()
    exit_now(status)
    return status
