"""The app's view and settings actions: the sidebar, tool details, the model and theme pickers (remembered
across runs), and the help dialog with the keys as currently mapped.

A mixin of `AgentApp` (like `SessionActions`), so Textual finds the handlers and `action_*` methods on the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from agent_tui.core import state as remembered
from agent_tui.core.llm.catalog import ModelError
from agent_tui.tui import model_choices
from agent_tui.tui.dialogs.first_run import FirstRunDialog
from agent_tui.tui.keymap import KEYBINDS

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object


class ViewActions(_Base):
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

    def action_toggle_sidebar(self) -> None:
        self.main.toggle_sidebar()

    def action_focus_sessions(self) -> None:
        main = self.main
        if not main.sidebar.display:
            main.toggle_sidebar()
        main.sidebar.query_one("#session-list").focus()

    def action_models(self) -> None:
        from agent_tui.tui.dialogs.model_picker import ModelPickerDialog

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
        from agent_tui.tui.dialogs.help import HelpDialog

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
        from agent_tui.tui.dialogs.help import key_label

        keys = dict(self.key_help_by_id()).get(binding_id, "")
        return " / ".join(key_label(key.strip()) for key in keys.split(",") if key.strip())

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, description) for the help dialog."""
        return [(keys, KEYBINDS[binding_id]) for binding_id, keys in self.key_help_by_id()]

    def action_themes(self) -> None:
        from agent_tui.tui.dialogs.themes import ThemeDialog

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
