"""User messages that agent-tui wrote for the user (a slash command's prompt), shown as one short line.

`/init` sends a page of instructions as the user's message; showing that page as if the user had typed it
buried the conversation. The stored text stays what the model was sent; only the log shows the short line.
"""

from __future__ import annotations

from functools import cache

from agent_tui.resources import read_prompt

PREPARED_PROMPTS = {"initialize.md": "Asked the model to write AGENTS.md"}


@cache
def _labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for name, label in PREPARED_PROMPTS.items():
        try:
            labels[read_prompt(name).strip()] = label
        except OSError:
            continue
    return labels


def prepared_label(text: str) -> str | None:
    """The short line for a prepared prompt, or None for text the user typed."""
    return _labels().get(text.strip())
