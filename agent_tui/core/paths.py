"""Where agent-tui keeps its files.

`AGENT_TUI_HOME` (used by tests) puts data, config, state and logs under one folder; otherwise the XDG
locations are used: data in ~/.local/share/agent-tui, config in ~/.config/agent-tui.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "agent-tui"


def _home_override() -> Path | None:
    value = os.environ.get("AGENT_TUI_HOME")
    return Path(value).expanduser() if value else None


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else Path.home() / default


def data_dir() -> Path:
    home = _home_override()
    return home / "data" if home else _xdg("XDG_DATA_HOME", ".local/share") / APP


def config_dir() -> Path:
    home = _home_override()
    return home / "config" if home else _xdg("XDG_CONFIG_HOME", ".config") / APP


def state_dir() -> Path:
    """Small remembered choices (last model, theme, prompt history)."""
    home = _home_override()
    return home / "state" if home else _xdg("XDG_STATE_HOME", ".local/state") / APP


def database_path() -> Path:
    return data_dir() / "agent-tui.db"


def log_dir() -> Path:
    return data_dir() / "log"


def tool_output_dir() -> Path:
    return data_dir() / "tool-output"


def ensure(path: Path) -> Path:
    """Create one of our folders (0700: it holds conversation text)."""
    from agent_tui.core.private_files import private_dir

    return private_dir(path)
