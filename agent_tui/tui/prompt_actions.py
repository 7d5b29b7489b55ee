"""The app's prompt actions: edit the prompt in $EDITOR, search the prompt history, custom slash commands and
`!command` shell runs.

A mixin of `AgentApp` (like `session_actions`), so Textual finds the `action_*` methods on the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_tui.core.custom_commands import CustomCommand
from agent_tui.tui import commands
from agent_tui.tui.external_editor import EditorError, edit_text
from agent_tui.tui.runner import QueuedPrompt
from agent_tui.tui.widgets.paste_attachments import Attachment
from agent_tui.tui.widgets.prompt import PromptComposer, attached_files

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object

SHELL_PREFIX = "!"


def shell_command(text: str) -> str | None:
    """The command of a `!command` line (None for an ordinary message; `!!` starts a message with `!`)."""
    stripped = text.strip()
    if not stripped.startswith(SHELL_PREFIX) or stripped.startswith(SHELL_PREFIX * 2):
        return None
    command = stripped[1:].strip()
    return command or None


class PromptActions(_Base):
    def action_edit_prompt(self) -> None:
        composer = self.main.composer
        try:
            edited = edit_text(self, composer.text)
        except EditorError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        composer.set_text(edited)
        composer.input.focus()

    def action_search_history(self) -> None:
        from agent_tui.tui.dialogs.picker import PickerDialog, PickerEntry

        entries = [PickerEntry(id=str(index), text=text)
                   for index, text in reversed(list(enumerate(self.history.entries)))]
        composer = self.main.composer

        def picked(index: str | None) -> None:
            if index is not None:
                entry = self.history.entries[int(index)]
                composer.set_text(entry, composer.history_pastes(entry))
            composer.input.focus()

        self.push_screen(
            PickerDialog("Search prompt history", entries, placeholder="Type to search what you sent before…",
                         empty="No prompt sent yet."),
            picked,
        )

    def run_custom_command(self, command: CustomCommand, arguments: str,
                           pastes: list[Attachment] | None = None) -> None:
        """The transcript shows `/name arguments` as typed; the model reads that and the command's prompt (and
        the pastes whose chips the arguments hold)."""
        expanded = command.expand(arguments)
        typed = f"/{command.name}" + (f" {arguments.strip()}" if arguments.strip() else "")
        files = attached_files(expanded, self.service.project.directory)
        self._submit(QueuedPrompt(text=typed, files=files, model=command.model or self.chosen_model,
                                  prompt=expanded, pastes=pastes or []))

    def refuse_pastes(self, message: PromptComposer.Submitted,
                      parsed: tuple[commands.SlashCommand, str] | None) -> bool:
        """A long paste goes with a message or a custom command, not with a built-in command or a `!` run: say
        so and put everything back rather than drop it."""
        if parsed is not None and parsed[0].custom is not None:
            return False
        if parsed is None and shell_command(message.text) is None:
            return False
        self.notify("A pasted text is sent with a message or a custom command: remove the chip to run this.",
                    severity="warning", timeout=8)
        self.main.composer.set_text(message.text, message.pastes)
        return True

    def run_shell(self, command: str) -> None:
        self._submit(QueuedPrompt(text=f"{SHELL_PREFIX}{command}", kind="shell"))
