"""The README's key table and command list match the app: every binding (as the README writes keys), every
keybind name and every built-in command is there, so a new key or command cannot land undocumented."""

from __future__ import annotations

from pathlib import Path

from agent_tui.tui.app import KEYBINDS, AgentApp
from agent_tui.tui.commands import COMMANDS
from agent_tui.tui.dialogs.help import key_label

README = Path(__file__).resolve().parents[2] / "README.md"


def section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_every_key_and_keybind_name_is_in_the_readme():
    keys = section(README.read_text(encoding="utf-8"), "Keys")
    for binding in AgentApp.BINDINGS:
        for key in binding.key.split(","):  # type: ignore[union-attr]
            assert key_label(key.strip()) in keys, f"{key} ({binding.id}) is missing from the README's key table"
    for name in KEYBINDS:
        assert f"`{name}`" in keys, f"keybind name {name} is missing from the README"


def test_every_command_is_in_the_readme():
    listed = section(README.read_text(encoding="utf-8"), "Commands")
    for command in COMMANDS:
        assert f"`/{command.name}" in listed, f"/{command.name} is missing from the README's command list"
