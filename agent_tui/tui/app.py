"""The Textual app: keys, dialogs, slash commands and start-up; the main screen shows the session.

Start-up order matters: the service is created (no litellm, no mcp), the first frame is painted, and only then
litellm is warmed up in a thread, the file watcher started and the MCP servers launched.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from pathlib import Path
from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerFailed, WorkerState

from agent_tui import startup_gc
from agent_tui.core import state as remembered
from agent_tui.core.custom_commands import load_commands
from agent_tui.core.events import McpStatusChanged, PermissionAsked, PermissionReplied, StorageProblem
from agent_tui.core.llm.catalog import ModelError
from agent_tui.core.session.service import SessionService
from agent_tui.core.terminal_text import escape_controls
from agent_tui.resources import style_path
from agent_tui.tui import commands, model_choices
from agent_tui.tui.agent_actions import AgentActions
from agent_tui.tui.bridge import EngineEvent, EventBridge
from agent_tui.tui.dialogs.base import Dialog
from agent_tui.tui.dialogs.confirm import ConfirmDialog
from agent_tui.tui.dialogs.first_run import FirstRunDialog
from agent_tui.tui.dialogs.help import HelpDialog, key_label
from agent_tui.tui.dialogs.model_picker import ModelPickerDialog
from agent_tui.tui.dialogs.permission import PermissionDialog
from agent_tui.tui.dialogs.themes import ThemeDialog
from agent_tui.tui.engine_actions import EngineActions
from agent_tui.tui.errors import GuardedPump, InternalErrors
from agent_tui.tui.library_status import show_while_loading
from agent_tui.tui.permission_queue import PermissionQueue
from agent_tui.tui.prompt_actions import PromptActions, shell_command
from agent_tui.tui.runner import ChatFailed, ChatRunner, QueueChanged, QueuedPrompt, forget_session_if_empty
from agent_tui.tui.screens.main import MainScreen
from agent_tui.tui.session_actions import SessionActions
from agent_tui.tui.state import PromptHistory
from agent_tui.tui.transcript_actions import TranscriptActions
from agent_tui.tui.undo_actions import UndoActions
from agent_tui.tui.widgets.prompt import PromptComposer, attached_files

log = logging.getLogger(__name__)

HEAVY_MODULES = ("litellm", "mcp")
DEFAULT_THEME = "textual-dark"

# Binding ids double as the names accepted in the config's `keybinds` (e.g. {"models": "ctrl+t"}).
KEYBINDS: dict[str, str] = {
    "abort": "Stop the running reply; close the open dialog",
    "quit": "Quit (asks first while a reply runs)",
    "command_palette": "Command palette",
    "sidebar": "Show or hide the session list",
    "new_session": "New session",
    "sessions": "Switch session",
    "models": "Choose the model",
    "details": "Expand or collapse every tool panel",
    "focus_sessions": "Move to the session list",
    "filter_sessions": "Filter the session list (Enter opens the selected match; / in the list too)",
    "themes": "Choose the theme",
    "help": "Help: every key and command",
    "editor": "Edit the prompt in $EDITOR",
    "history_search": "Search the prompts sent before",
    "search": "Search the conversation (enter/n older, shift+enter/N newer)",
    "select": "Select a message or code block: ↑↓ move, c copy, f fork, r revert to it, esc done",
    "undo": "Undo the last turn (files included)",
    "redo": "Redo the turn undone last",
    "revert": "Revert to an earlier message",
    "diff": "Show this session's changes to files",
}


class AgentApp(GuardedPump, AgentActions, EngineActions, SessionActions, PromptActions, TranscriptActions,
               UndoActions, App[int]):
    TITLE = "agent-tui"
    CSS_PATH = str(style_path("app.tcss"))
    COMMANDS: ClassVar[set[Any]] = {commands.SlashCommandProvider}
    ENABLE_COMMAND_PALETTE = True
    # A mode rather than get_default_screen(): Textual loads a screen's CSS_PATH only for modes and pushes.
    MODES: ClassVar[dict[str, Any]] = {"main": MainScreen}
    DEFAULT_MODE: ClassVar[str] = "main"
    handle_exit_signals = False  # SIGTERM/SIGHUP quit cleanly; `run_app` turns it on
    stopped_by_signal: int | None = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "abort", "Stop", priority=True, show=False, id="abort"),
        Binding("ctrl+c", "quit_app", "Quit", priority=True, show=False, id="quit"),
        Binding("ctrl+p", "command_palette", "Commands", priority=True, show=False, id="command_palette"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="sidebar"),
        Binding("ctrl+n", "new_session", "New", id="new_session"),
        Binding("ctrl+s", "sessions", "Sessions", id="sessions"),
        Binding("f2,ctrl+l", "models", "Models", id="models"),
        Binding("ctrl+o", "toggle_details", "Details", id="details"),
        Binding("ctrl+g", "focus_sessions", "Session list", id="focus_sessions"),
        Binding("alt+f", "filter_sessions", "Filter sessions", id="filter_sessions"),
        Binding("ctrl+t", "themes", "Themes", id="themes"),
        Binding("f1", "help", "Help", id="help"),
        Binding("alt+e,f4", "edit_prompt", "Editor", id="editor"),
        Binding("ctrl+r", "search_history", "History", id="history_search"),
        Binding("ctrl+f", "search_transcript", "Search", id="search"),
        Binding("alt+up,f3", "select_messages", "Select", id="select"),
        Binding("alt+z", "undo", "Undo", id="undo"),
        Binding("alt+y", "redo", "Redo", id="redo"),
        Binding("alt+r", "revert", "Revert", id="revert"),
        Binding("alt+d", "show_diff", "Diff", id="diff"),
    ]

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
        self._apply_keybinds()
        self._apply_theme()

    # --- start-up -----------------------------------------------------------------------------------------

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]  # the default screen, under every dialog
        assert isinstance(screen, MainScreen)
        return screen

    def _apply_keybinds(self) -> None:
        configured = dict(self.service.config.keybinds)
        unknown = sorted(set(configured) - set(KEYBINDS))
        for name in unknown:
            configured.pop(name)
        self._unknown_keybinds = unknown
        if configured:
            self.set_keymap(configured)

    def _apply_theme(self) -> None:
        wanted = self.service.config.theme or remembered.load_state().theme
        self._unknown_theme: str | None = None
        if wanted and wanted in self.available_themes:
            self.theme = wanted
        elif wanted:
            self._unknown_theme = wanted

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

    def on_ready(self) -> None:
        self._painted = True
        startup_gc.resume()
        # Ready comes after the first frame is on the screen; heavy work starts after one more refresh.
        self.call_after_refresh(self._after_first_frame)

    def first_session(self) -> str | None:
        """The session to open at start: `--session`, `--continue` (the latest), or None for a new one."""
        if self._initial_session:
            if self.service.get(self._initial_session) is not None:
                return self._initial_session
            self.notify(f"No session {self._initial_session} in this project; starting a new one.",
                        severity="error", timeout=8)
            return None
        if self._continue_last:
            latest = self.service.list(limit=1)
            return latest[0].id if latest else None
        return None

    def _after_first_frame(self) -> None:
        self.heavy_modules_at_first_frame = [m for m in HEAVY_MODULES if m in sys.modules]
        if self._unknown_keybinds:
            self.notify(f"Unknown keybinds in the config ignored: {', '.join(self._unknown_keybinds)}. "
                        f"Known: {', '.join(KEYBINDS)}.", severity="warning", timeout=10)
        if self.custom_commands.problems:
            self.notify("Custom commands skipped:\n" + "\n".join(self.custom_commands.problems[:5]),
                        severity="warning", timeout=10)
        if self._unknown_theme:
            self.notify(f"Unknown theme '{self._unknown_theme}'; pick one with /themes.", severity="warning")
        self.report_agent_problems()
        if not self.service.providers_configured():
            self.push_screen(FirstRunDialog(project_dir=self.service.project.directory))
        if self._warm_up:
            from agent_tui.core.llm.litellm_loader import warm_up_in_background

            warm_up_in_background()
            self._start_watcher()
            if self.service.config.mcp:
                self.run_worker(self._start_mcp(), name="mcp start", exit_on_error=False)

    def _start_watcher(self) -> None:
        try:
            from agent_tui.core.watcher import FileWatcher

            self._watcher = FileWatcher(self.service.project.root, self.service.bus)
            self._watcher.start()
        except Exception as exc:  # the app works without it; say so once
            log.exception("file watcher failed to start")
            self.notify(f"File changes will not be noticed: {exc}", severity="warning")

    async def _start_mcp(self) -> None:
        # Importing the MCP SDK takes about a second: do it off the UI thread.
        module = await asyncio.to_thread(importlib.import_module, "agent_tui.core.mcp.manager")
        from agent_tui.core import paths

        config = self.service.config
        manager = module.McpManager(config.mcp, self.service.bus, log_dir=paths.log_dir(),
                                    directory=self.service.project.directory,
                                    startup_timeout=config.mcp_startup_timeout)
        self.service.mcp = manager
        manager.start()

    # --- shutting down ------------------------------------------------------------------------------------

    async def _shutdown_engine(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self.bridge.stop()
        if self._watcher is not None:
            await self._watcher.stop()
        await self.service.shutdown()

    async def on_unmount(self) -> None:
        await self._shutdown_engine()

    async def action_quit_app(self) -> None:
        if self.runner.any_running():
            self.push_screen(
                ConfirmDialog("Quit?", "A reply is still running. Quitting stops it (what arrived is kept).",
                              confirm="Quit"),
                self._quit_confirmed,
            )
            return
        await self._quit()

    async def _quit_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            await self._quit()

    async def _quit(self) -> None:
        await self._shutdown_engine()
        self.exit(0)

    # --- engine events ------------------------------------------------------------------------------------

    def on_engine_event(self, message: EngineEvent) -> None:
        if not self.screen_stack:
            return  # quitting: the screens are gone, and the engine still finishes what it was doing
        event = message.event
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
        if self.screen_stack:  # an event that arrives while the app closes has no screen left to show it
            self.main.route(message)

    def on_queue_changed(self, message: QueueChanged) -> None:
        main = self.main
        if message.session_id == main.session_id:
            main.composer.show_queued([q.text for q in message.queued])
            main.status.queued = len(message.queued)

    def on_chat_failed(self, message: ChatFailed) -> None:
        self.notify(message.error, title="Could not send", severity="error", timeout=10)
        main = self.main
        if message.session_id == main.session_id and message.prompt.kind == "chat" and not main.composer.text:
            main.composer.set_text(message.prompt.text)  # nothing typed is lost
        forget_session_if_empty(self, message)
        if not self.service.providers_configured():
            self.push_screen(FirstRunDialog(project_dir=self.service.project.directory))

    # --- models -------------------------------------------------------------------------------------------

    def model_for(self, session_id: str | None) -> tuple[str | None, int]:
        """The model the next message of the session will use, and its context window (0 when unknown)."""
        try:
            spec = self.service.model_spec(session_id, requested=self.chosen_model)
        except ModelError:
            return None, 0
        provider, _, model_id = spec.partition("/")
        try:
            return spec, self.service.catalog.model_info(provider, model_id).context
        except Exception:
            return spec, 0

    # --- sending ------------------------------------------------------------------------------------------

    def on_prompt_composer_submitted(self, message: PromptComposer.Submitted) -> None:
        text = message.text
        try:
            parsed = self.slash_commands.parse(text)
        except commands.UnknownCommand as exc:
            self.notify(str(exc), severity="warning", timeout=8)
            self.main.composer.set_text(text)
            return
        if parsed is not None:
            command, argument = parsed
            self.run_slash_command(command, argument)
            return
        if (shell := shell_command(text)) is not None:
            self.run_shell(shell)
            return
        self.send(text)

    def _ensure_session(self) -> str:
        main = self.main
        if main.session_id is None:
            session = self.service.create(agent=self.pending_agent)
            main.show_session(session.id)
        assert main.session_id is not None
        return main.session_id

    def send(self, text: str) -> None:
        files = attached_files(text, self.service.project.directory)
        self._submit(QueuedPrompt(text=text, files=files, model=self.chosen_model))

    def _submit(self, prompt: QueuedPrompt) -> None:
        prompt.created_session = self.main.session_id is None
        session_id = self._ensure_session()
        outcome = self.runner.submit(session_id, prompt)
        main = self.main
        main.transcript.follow()  # sent while scrolled back: show what comes next, not the old page
        if outcome == "queued":
            main.composer.show_queued([q.text for q in self.runner.queued(session_id)])
        main.status.busy = True
        show_while_loading(self, main.status)

    def run_slash_command(self, command: commands.SlashCommand, argument: str) -> None:
        if command.custom is not None:
            self.run_custom_command(command.custom, argument)
            return
        action = getattr(self, f"action_{command.action}")
        result = action(argument) if command.argument is not None else action()
        if asyncio.iscoroutine(result):
            self.run_worker(result, exit_on_error=False)

    # --- actions: keys and commands -----------------------------------------------------------------------

    def action_abort(self) -> None:
        screen = self.screen
        if isinstance(screen, PermissionDialog):
            # The run waits on this question: Esc stops the run, which answers every open question "no".
            self._abort(screen.event.session_id)
            return
        if isinstance(screen, Dialog):
            screen.action_cancel()
            return
        if screen is not self.main:
            raise SkipAction()  # the command palette and other screens close themselves
        if self.close_transient():  # the search bar or the message selection closes first
            return
        session_id = self.main.session_id
        if session_id and self.runner.running(session_id):
            self._abort(session_id)
            return
        raise SkipAction()  # idle: Esc goes on to the prompt (closes its completion menu)

    def _abort(self, session_id: str) -> None:
        queued = self.runner.take_queue(session_id)
        self.runner.abort(session_id)
        main = self.main
        if queued and session_id == main.session_id:
            # Stopping means stopping: what was queued goes back into the prompt instead of being sent.
            texts = [q.text for q in queued if q.kind == "chat"]
            current = main.composer.text
            main.composer.set_text("\n\n".join([*texts, current] if current.strip() else texts))
        self.notify("Stopped.", timeout=2)

    def action_toggle_sidebar(self) -> None:
        self.main.toggle_sidebar()

    def action_focus_sessions(self) -> None:
        main = self.main
        if not main.sidebar.display:
            main.toggle_sidebar()
        main.sidebar.query_one("#session-list").focus()

    def action_models(self) -> None:
        current, _ = self.model_for(self.main.session_id)
        if current is None and not self.service.providers_configured():
            self.push_screen(FirstRunDialog(project_dir=self.service.project.directory))
            return
        catalog, config = self.service.catalog, self.service.config
        choices = model_choices.picker_choices(catalog, config.model, config.small_model, current=current)
        self.push_screen(ModelPickerDialog(choices, current=current,
                                           check=lambda spec: model_choices.problem_with(catalog, spec)),
                         self._model_chosen)

    def _model_chosen(self, spec: str | None) -> None:
        if not spec:
            return
        self.chosen_model = spec
        try:
            remembered.remember_model(spec)
        except OSError as exc:
            self.notify(f"Could not remember the model: {exc}", severity="warning")
        self.main.refresh_model()
        self.notify(f"Model: {spec}", timeout=3)

    def action_toggle_details(self) -> None:
        self.main.transcript.toggle_details()

    def action_help(self) -> None:
        self.push_screen(HelpDialog(self.key_help(), self.slash_commands.commands))

    def key_help_by_id(self) -> list[tuple[str, str]]:
        """(binding id, keys) of the app's bindings as currently mapped (config overrides included)."""
        rows: list[tuple[str, str]] = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding) and binding.id is not None
            rows.append((binding.id, self._keymap.get(binding.id, binding.key).replace(",", ", ")))
        return rows

    def keys_for(self, binding_id: str) -> str:
        """The keys of one binding as shown to the user ("F2 / Ctrl+L")."""
        keys = dict(self.key_help_by_id()).get(binding_id, "")
        return " / ".join(key_label(key.strip()) for key in keys.split(",") if key.strip())

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, description) for the help dialog."""
        return [(keys, KEYBINDS[binding_id]) for binding_id, keys in self.key_help_by_id()]

    def action_themes(self) -> None:
        themes = sorted(self.available_themes)
        self.push_screen(ThemeDialog(themes, current=self.theme), self._theme_chosen)

    def _theme_chosen(self, name: str | None) -> None:
        if not name:
            return
        self.theme = name
        try:
            saved = remembered.load_state()
            saved.theme = name
            remembered.save_state(saved)
        except OSError as exc:
            self.notify(f"Could not remember the theme: {exc}", severity="warning")

    def action_compact(self) -> None:
        session_id = self.main.session_id
        if session_id is None or not self.service.messages(session_id):
            self.notify("Nothing to compact yet: this session has no messages.", severity="warning")
            return
        self._submit(QueuedPrompt(text="/compact", kind="compact", model=self.chosen_model))

    def action_init_project(self) -> None:
        self._submit(QueuedPrompt(text="/init", kind="init", model=self.chosen_model))

    def action_quit(self) -> None:  # Textual's ctrl+q and the palette's Quit go through the same check
        self.run_worker(self.action_quit_app(), exit_on_error=False)


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
