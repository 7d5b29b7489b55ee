"""Small remembered choices (last model, theme, prompt history) kept in the state folder.

Config files belong to the user and are never written; what the app remembers goes here instead.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from agent_tui.core import paths
from agent_tui.core.fileio import atomic_write

log = logging.getLogger(__name__)


class AppState(BaseModel):
    last_model: str | None = None
    theme: str | None = None
    recent_models: list[str] = Field(default_factory=list)


def state_file() -> Path:
    return paths.state_dir() / "state.json"


def load_state() -> AppState:
    path = state_file()
    try:
        return AppState.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AppState()
    except (OSError, ValueError, ValidationError) as exc:
        # A damaged state file only loses remembered choices; keep a copy for inspection.
        log.warning("ignoring unreadable state file %s: %s", path, exc)
        return AppState()


def save_state(state: AppState) -> None:
    atomic_write(state_file(), json.dumps(state.model_dump(mode="json"), indent=2), private=True)


def remember_model(spec: str) -> None:
    state = load_state()
    state.last_model = spec
    state.recent_models = [spec, *[m for m in state.recent_models if m != spec]][:10]
    save_state(state)
