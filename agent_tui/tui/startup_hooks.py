"""The app's start-up: config keybinds and theme, the session to open, and the work deferred until after the
first frame (warm-up of litellm, the file watcher, the MCP servers).

A mixin of `AgentApp` (like `SessionActions`), so Textual finds the handlers and `action_*` methods on the app.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from typing import TYPE_CHECKING, Any

from agent_tui import startup_gc
from agent_tui.core import state as remembered
from agent_tui.tui.dialogs.first_run import FirstRunDialog
from agent_tui.tui.keymap import KEYBINDS

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object

log = logging.getLogger(__name__)

HEAVY_MODULES = ("litellm", "mcp")


class StartupHooks(_Base):
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

    def on_ready(self) -> None:
        self._painted = True
        startup_gc.resume()
        self.idle_collection.start()
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
            self.run_worker(self._start_watcher(), name="file watcher start", exit_on_error=False)
            if self.service.config.mcp:
                self.run_worker(self._start_mcp(), name="mcp start", exit_on_error=False)

    async def _start_watcher(self) -> None:
        # In a thread first: building the record and event models (which the first send needs, see
        # core/deferred_models.py), importing watchfiles and anyio and reading the ignore files, which took
        # 20 ms of the loop's CPU (70 ms of wall time) right when the prompt became ready.
        from agent_tui.core.deferred_models import build_deferred_models

        await asyncio.to_thread(build_deferred_models)
        try:
            watcher = await asyncio.to_thread(self._make_watcher)
        except Exception as exc:  # the app works without it; say so once
            log.exception("file watcher failed to start")
            self.notify(f"File changes will not be noticed: {exc}", severity="warning")
            return
        if not self._shut_down:
            self._watcher = watcher
            watcher.start()

    def _make_watcher(self) -> Any:
        from agent_tui.core.watcher import FileWatcher  # watchfiles; anyio's backend loads in a thread in its run

        return FileWatcher(self.service.project.root, self.service.bus)

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
