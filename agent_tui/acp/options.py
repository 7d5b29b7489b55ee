"""The session's choices offered to the client: the model (a config option, category "model") and the primary
agents (`build`, `plan`, Markdown-defined ones) both as ACP session modes and as a config option (category
"mode"), since clients support one or the other; both change the same thing."""

from __future__ import annotations

from typing import Any

from acp.schema import SessionConfigOptionSelect, SessionConfigSelectOption, SessionMode, SessionModeState

from agent_tui.core.llm.catalog import ModelError

MODEL_OPTION = "model"
MODE_OPTION = "mode"


def _model_option(service: Any, session_id: str | None, chosen: str | None) -> SessionConfigOptionSelect | None:
    try:
        current: str | None = service.model_spec(session_id, chosen)
    except ModelError:
        current = None
    choices = [SessionConfigSelectOption(value=m.spec, name=m.name or m.spec, description=m.spec)
               for m in service.available_models()]
    if current and current not in {c.value for c in choices}:
        choices.insert(0, SessionConfigSelectOption(value=current, name=current))
    if not choices:
        return None  # no provider configured: nothing to choose from
    return SessionConfigOptionSelect(
        type="select", id=MODEL_OPTION, name="Model", category="model", description="The model that replies",
        current_value=current or choices[0].value, options=choices,
    )


def modes(service: Any, session_id: str) -> SessionModeState:
    agents = service.agents.primary() or [service.agents.default()]
    return SessionModeState(
        current_mode_id=service.agent_for(session_id).name,
        available_modes=[SessionMode(id=a.name, name=a.name.capitalize(), description=a.description or None)
                         for a in agents],
    )


def _mode_option(service: Any, session_id: str) -> SessionConfigOptionSelect:
    state = modes(service, session_id)
    return SessionConfigOptionSelect(
        type="select", id=MODE_OPTION, name="Agent", category="mode", description="How the agent works",
        current_value=state.current_mode_id,
        options=[SessionConfigSelectOption(value=m.id, name=m.name, description=m.description)
                 for m in state.available_modes],
    )


def config_options(service: Any, session_id: str, chosen_model: str | None) -> list[SessionConfigOptionSelect]:
    found = [_model_option(service, session_id, chosen_model), _mode_option(service, session_id)]
    return [option for option in found if option is not None]
