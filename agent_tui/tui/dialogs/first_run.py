"""Shown when no model provider is configured: which variables to set, or a config for a local server."""

from __future__ import annotations

import json
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from agent_tui.core.config import global_config_path
from agent_tui.core.llm.catalog import BUILTIN_PROVIDERS
from agent_tui.tui.dialogs.base import Dialog, dialog_css

LOCAL_EXAMPLE = {
    "provider": {
        "local": {
            "name": "Local server",
            "api": "openai",
            "base_url": "http://localhost:11434/v1",
            "models": {"qwen2.5-coder:7b": {"limit": {"context": 32768, "output": 4096}}},
        }
    },
    "model": "local/qwen2.5-coder:7b",
}


def provider_variables() -> list[tuple[str, str]]:
    """(provider name, variable names) for every built-in provider."""
    return [(spec.name, " or ".join(spec.key_env)) for spec in BUILTIN_PROVIDERS.values()]


class FirstRunDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_first_run.tcss")

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
                width = max(len(name) for name, _ in provider_variables())
                rows = [
                    Content.styled(f"  {name:<{width}}  ", "$text-muted") + Content.styled(variables, "bold")
                    for name, variables in provider_variables()
                ]
                yield Static(Content("\n").join(rows), id="first-run-vars")
                yield Static(
                    Content.assemble(
                        "Or use a local OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp) by adding "
                        "this to ",
                        (str(self.config_path), "bold"),
                        " or to ",
                        (str(self.project_dir / "agent-tui.json"), "bold"),
                        ":",
                    ),
                    classes="first-run-text",
                )
                yield Static(json.dumps(LOCAL_EXAMPLE, indent=2), id="first-run-example", markup=False)
                yield Static(
                    "Change base_url and the model name to what your server serves. Until then you can look "
                    "around, read old sessions and open /help.",
                    classes="first-run-text",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(None)
