"""The app's agent switch: Tab on an empty prompt, `/agent [name]`, and showing the active agent.

A mixin of `AgentApp` (like `SessionActions`). The agent is stored on the session; before the first message
of a new session it is kept here and given to the session when it is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.color import Color, ColorParseError

from agent_tui.core.agents import AgentDefinition, UnknownAgent
from agent_tui.tui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object


class AgentActions(_Base):
    pending_agent: str | None = None  # for a session not created yet, and the next new ones

    def active_agent(self) -> AgentDefinition:
        session_id = self.main.session_id
        if session_id is not None:
            return self.service.agent_for(session_id)
        return self.service.agents.find(self.pending_agent) or self.service.agents.default()

    def on_prompt_input_cycle_agent(self, message: PromptInput.CycleAgent) -> None:
        message.stop()
        self.switch_agent(self.service.agents.next_primary(self.active_agent().name).name)

    def action_agent(self, name: str = "") -> None:
        from agent_tui.tui.dialogs.agents import AgentDialog

        if name.strip():
            self.switch_agent(name.strip())
            return
        self.push_screen(AgentDialog(self.service.agents.primary(), current=self.active_agent().name),
                         lambda chosen: self.switch_agent(chosen) if chosen else None)

    def switch_agent(self, name: str) -> None:
        try:
            agent = self.service.agents.get(name)
        except UnknownAgent as exc:
            self.notify(str(exc), severity="warning", timeout=6)
            return
        if not agent.primary:
            self.notify(f"'{agent.name}' is a sub-agent: the model runs it with the task tool.", severity="warning")
            return
        self.pending_agent = agent.name
        if self.main.session_id is not None:
            self.service.set_agent(self.main.session_id, agent.name)
        self.show_agent()

    def agent_color(self, agent: AgentDefinition) -> Color | None:
        """The agent's colour: a theme variable (`$warning`) or any colour Textual parses; None when unusable."""
        if not agent.color:
            return None
        value = agent.color
        if value.startswith("$"):
            value = self.theme_variables.get(value[1:], "")
        try:
            return Color.parse(value)
        except ColorParseError:
            return None

    def show_agent(self) -> None:
        """Name the active agent in the status line and on the prompt's border, in the agent's colour."""
        agent = self.active_agent()
        color = self.agent_color(agent)
        main = self.main
        main.status.agent = agent.name
        main.status.agent_color = color.hex if color else ""
        prompt = main.composer.input
        prompt.border_title = agent.name
        if color is not None:
            prompt.styles.border = ("round", color)
            prompt.styles.border_title_color = color
        else:
            prompt.styles.clear_rule("border")
            prompt.styles.clear_rule("border_title_color")

    def report_agent_problems(self) -> None:
        for problem in self.service.agents.problems:
            self.notify(problem, title="Agent file skipped", severity="warning", timeout=12)
