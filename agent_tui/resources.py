"""Locate the shipped data folders (`styles/`, `prompts/`).

In a checkout they sit at the repository top level; in a wheel they are packed into `agent_tui/_data/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    packed = _PACKAGE / "_data" / name
    if packed.is_dir():
        return packed
    return _PACKAGE.parent / name


def prompt_path(name: str) -> Path:
    return data_dir("prompts") / name


@cache
def read_prompt(name: str) -> str:
    """Read `prompts/NAME` (e.g. "title.md" or "tools/read.md")."""
    return prompt_path(name).read_text(encoding="utf-8").strip()


def style_path(name: str) -> Path:
    return data_dir("styles") / name
