"""The session's choices offered to the client as ACP config options: the model (category "model").

Agents (build/plan) would be offered as session modes; the engine has none yet, so only models are offered.
"""

from __future__ import annotations

from typing import Any

from acp.schema import SessionConfigOptionSelect, SessionConfigSelectOption

from agent_tui.core.llm.catalog import ModelError

MODEL_OPTION = "model"


def config_options(service: Any, session_id: str | None, chosen: str | None) -> list[SessionConfigOptionSelect] | None:
    """The model selector, or None when no provider is configured (nothing to choose from)."""
    try:
        current: str | None = service.model_spec(session_id, chosen)
    except ModelError:
        current = None
    choices = [SessionConfigSelectOption(value=m.spec, name=m.name or m.spec, description=m.spec)
               for m in service.available_models()]
    if current and current not in {c.value for c in choices}:
        choices.insert(0, SessionConfigSelectOption(value=current, name=current))
    if not choices:
        return None
    return [SessionConfigOptionSelect(
        type="select", id=MODEL_OPTION, name="Model", category="model", description="The model that replies",
        current_value=current or choices[0].value, options=choices,
    )]
