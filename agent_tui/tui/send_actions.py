"""The app's sending: a submitted prompt becomes a slash command, a `!command` or a message for the runner;
queue changes and failed sends are shown (a failed send puts the text back in the prompt).

A mixin of `AgentApp` (like `SessionActions`), so Textual finds the handlers and `action_*` methods on the app.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from agent_tui.tui import commands
from agent_tui.tui.dialogs.first_run import FirstRunDialog
from agent_tui.tui.library_status import show_while_loading
from agent_tui.tui.prompt_actions import shell_command
from agent_tui.tui.runner import ChatFailed, QueueChanged, QueuedPrompt, forget_session_if_empty
from agent_tui.tui.widgets.paste_attachments import Attachment
from agent_tui.tui.widgets.prompt import PromptComposer, attached_files

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object


class SendActions(_Base):
    def on_queue_changed(self, message: QueueChanged) -> None:
        main = self.main
        if message.session_id == main.session_id:
            main.composer.show_queued([q.text for q in message.queued])
            main.status.queued = len(message.queued)

    def on_chat_failed(self, message: ChatFailed) -> None:
        self.notify(message.error, title="Could not send", severity="error", timeout=10)
        main = self.main
        if message.session_id == main.session_id and message.prompt.kind == "chat" and not main.composer.text:
            main.composer.set_text(message.prompt.text, message.prompt.pastes)  # nothing typed is lost
        forget_session_if_empty(self, message)
        if not self.service.providers_configured():
            self.push_screen(FirstRunDialog(project_dir=self.service.project.directory))

    def on_prompt_composer_submitted(self, message: PromptComposer.Submitted) -> None:
        text = message.text
        try:
            parsed = self.slash_commands.parse(text)
        except commands.UnknownCommand as exc:
            self.notify(str(exc), severity="warning", timeout=8)
            self.main.composer.set_text(text, message.pastes)
            return
        if message.pastes and self.refuse_pastes(message, parsed):
            return
        if parsed is not None:
            command, argument = parsed
            self.run_slash_command(command, argument, message.pastes)
            return
        if (shell := shell_command(text)) is not None:
            self.run_shell(shell)
            return
        self.send(text, message.pastes)

    def _ensure_session(self) -> str:
        main = self.main
        if main.session_id is None:
            session = self.service.create(agent=self.pending_agent, wait=False)  # never waits on a lock
            main.show_session(session.id)
        assert main.session_id is not None
        return main.session_id

    def send(self, text: str, pastes: list[Attachment] | None = None) -> None:
        files = attached_files(text, self.service.project.directory)
        self._submit(QueuedPrompt(text=text, files=files, model=self.chosen_model, pastes=pastes or []))

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

    def run_slash_command(self, command: commands.SlashCommand, argument: str,
                          pastes: list[Attachment] | None = None) -> None:
        if command.custom is not None:
            self.run_custom_command(command.custom, argument, pastes)
            return
        action = getattr(self, f"action_{command.action}")
        result = action(argument) if command.argument is not None else action()
        if asyncio.iscoroutine(result):
            self.run_worker(result, exit_on_error=False)

    def action_compact(self) -> None:
        session_id = self.main.session_id
        if session_id is None or not self.service.messages(session_id):
            self.notify("Nothing to compact yet: this session has no messages.", severity="warning")
            return
        self._submit(QueuedPrompt(text="/compact", kind="compact", model=self.chosen_model))

    def action_init_project(self) -> None:
        self._submit(QueuedPrompt(text="/init", kind="init", model=self.chosen_model))
