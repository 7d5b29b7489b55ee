"""Shown when no model provider is configured: which variables to set, or a config for a local server."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from agent_tui.core.config import global_config_path
from agent_tui.core.llm.catalog import BUILTIN_PROVIDERS
from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.format import display_path

# Kept compact so that it fits the dialog; a test checks that it is a valid config.
LOCAL_EXAMPLE = """{
  "provider": {
    "local": {
      "api": "openai",
      "base_url": "http://localhost:11434/v1",
      "models": {"qwen2.5-coder:7b": {"limit": {"context": 32768}}}
    }
  },
  "model": "local/qwen2.5-coder:7b"
}"""


def provider_variables() -> list[tuple[str, str]]:
    """(provider name, variable names) for every built-in provider."""
    return [(spec.name, " or ".join(spec.key_env)) for spec in BUILTIN_PROVIDERS.values()]


class ProviderVariables(Static):
    """`Provider  VARIABLE` rows: in two columns when they fit (the dialog then fits a 40-line terminal), else one."""

    def __init__(self, *, id: str | None = None) -> None:
        entries = provider_variables()
        name_width = max(len(name) for name, _ in entries)
        self._cells = [Content.styled(f"{name:<{name_width}}  ", "$text-muted") + Content.styled(variables, "bold")
                       for name, variables in entries]
        half = (len(self._cells) + 1) // 2
        self._column_width = max(c.cell_length for c in self._cells[:half]) + 4
        self._two_columns = True
        super().__init__(self._rows(), id=id)

    def _rows(self) -> Content:
        cells = self._cells
        if not self._two_columns:
            return Content("\n").join(cells)
        half = (len(cells) + 1) // 2
        rows = []
        for index in range(half):
            left = cells[index]
            row = left + Content(" " * (self._column_width - left.cell_length))
            if index + half < len(cells):
                row += cells[index + half]
            rows.append(row)
        return Content("\n").join(rows)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)  # a layout asked for while handling a resize is dropped

    def _fit(self) -> None:
        half = (len(self._cells) + 1) // 2
        two_columns = self._column_width + max(c.cell_length for c in self._cells[half:]) <= self.size.width
        if two_columns != self._two_columns:
            self._two_columns = two_columns
            self.content = self._rows()


class FirstRunDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_first_run.tcss")
    AUTO_FOCUS = "#ok"

    def __init__(self, *, project_dir: Path, config_path: Path | None = None) -> None:
        super().__init__()
        self.project_dir = project_dir
        self.config_path = config_path or global_config_path()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("No model provider is configured", classes="dialog-title")
            with VerticalScroll(id="first-run-body"):
                yield Static(
                    "agent-tui needs a model to talk to. Set one of these environment variables and start "
                    "agent-tui again:",
                    classes="first-run-text",
                )
                yield ProviderVariables(id="first-run-vars")
                yield Static(
                    Content.assemble(
                        "Or use a local OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp) by adding "
                        "this to ",
                        (display_path(self.config_path), "bold"),
                        " or to ",
                        (display_path(self.project_dir / "agent-tui.json"), "bold"),
                        ":",
                    ),
                    classes="first-run-text",
                )
                yield Static(LOCAL_EXAMPLE, id="first-run-example", markup=False)
                yield Static(
                    "Set base_url and the model to what your server serves. Meanwhile you can read old "
                    "sessions and open /help.",
                    classes="first-run-text",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(None)
