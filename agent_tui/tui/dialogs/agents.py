"""Choose the primary agent of the session on screen (`/agent`); Tab on an empty prompt cycles them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.core.agents import AgentDefinition
from agent_tui.tui.dialogs.base import Dialog, dialog_css


class AgentDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_agents.tcss")

    def __init__(self, agents: list[AgentDefinition], *, current: str) -> None:
        super().__init__()
        self.agents = agents
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for agent in self.agents:
            mark = "● " if agent.name == self.current else "  "
            label = Content.styled(f"{mark}{agent.name}", "bold")
            if agent.description:
                label += Content("\n    ") + Content.styled(agent.description, "$text-muted")
            options.append(Option(label, id=agent.name))
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Agent", classes="dialog-title")
            yield OptionList(*options, id="agent-list")
            yield Static("enter switch · esc close · tab on an empty prompt cycles", classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one("#agent-list", OptionList)
        names = [a.name for a in self.agents]
        if self.current in names:
            option_list.highlighted = names.index(self.current)
        option_list.focus()

    @on(OptionList.OptionSelected, "#agent-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
