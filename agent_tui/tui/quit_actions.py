"""The app's Esc (stop the reply, close the dialog) and quitting: Ctrl+C asks first while a reply runs, and the
engine is shut down (turns stored, tools stopped) before the app exits.

A mixin of `AgentApp` (like `SessionActions`), so Textual finds the handlers and `action_*` methods on the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.actions import SkipAction

from agent_tui.tui.dialogs.base import Dialog

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object


class QuitActions(_Base):
    async def _shutdown_engine(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self.idle_collection.stop()
        self.bridge.stop()
        if self._watcher is not None:
            await self._watcher.stop()
        await self.service.shutdown()

    async def on_unmount(self) -> None:
        await self._shutdown_engine()

    async def action_quit_app(self) -> None:
        from agent_tui.tui.dialogs.confirm import ConfirmDialog

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

    def action_abort(self) -> None:
        from agent_tui.tui.dialogs.permission import PermissionDialog

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
            for prompt in reversed([q for q in queued if q.kind == "chat"]):
                main.composer.add_text(prompt.text, prompt.pastes)
        self.notify("Stopped.", timeout=2)

    def action_quit(self) -> None:  # Textual's ctrl+q and the palette's Quit go through the same check
        self.run_worker(self.action_quit_app(), exit_on_error=False)
