"""The agents of one project: the built-ins, then the global folder's files, then the project's (later ones
replace earlier ones of the same name). A file that cannot be used is skipped and reported in `problems`."""

from __future__ import annotations

import logging
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.agents.builtin import DEFAULT_AGENT, DEFAULT_SUBAGENT, builtin_agents
from agent_tui.core.agents.definition import AgentDefinition
from agent_tui.core.agents.markdown import AgentFileError, parse_agent_file

log = logging.getLogger(__name__)

AGENTS_FOLDER = Path(".agent-tui") / "agents"


class UnknownAgent(KeyError):
    """An agent name that names no agent. The message lists the ones that exist."""

    def __str__(self) -> str:
        return str(self.args[0])


def agent_folders(project_root: Path, directory: Path | None = None) -> list[Path]:
    """Where agent files are looked for, lowest precedence first."""
    folders = [paths.config_dir() / "agents", project_root / AGENTS_FOLDER]
    if directory is not None and directory.resolve() != project_root.resolve():
        folders.append(directory / AGENTS_FOLDER)
    return folders


class AgentRegistry:
    def __init__(self, agents: list[AgentDefinition], problems: list[str] | None = None) -> None:
        self._agents: dict[str, AgentDefinition] = {}
        for agent in agents:
            self._agents[agent.name] = agent
        self.problems = problems or []

    @classmethod
    def load(cls, folders: list[Path]) -> AgentRegistry:
        agents = builtin_agents()
        problems: list[str] = []
        for folder in folders:
            try:
                files = sorted(folder.glob("*.md")) if folder.is_dir() else []
            except OSError as exc:
                problems.append(f"{folder}: cannot list agent files: {exc.strerror}")
                continue
            for path in files:
                try:
                    agents.append(parse_agent_file(path))
                except AgentFileError as exc:
                    log.warning("agent skipped: %s", exc)
                    problems.append(f"{exc} (agent '{path.stem}' skipped)")
        return cls(agents, problems)

    def get(self, name: str) -> AgentDefinition:
        """Raises UnknownAgent with the names that exist."""
        agent = self._agents.get(name)
        if agent is None:
            raise UnknownAgent(f"No agent named '{name}'. Agents: {', '.join(self._agents)}.")
        return agent

    def find(self, name: str | None) -> AgentDefinition | None:
        return self._agents.get(name) if name else None

    def all(self) -> list[AgentDefinition]:
        return list(self._agents.values())

    def primary(self) -> list[AgentDefinition]:
        """What Tab cycles through: built-in primaries first, then custom ones, in the order found."""
        return [a for a in self._agents.values() if a.primary]

    def subagents(self) -> list[AgentDefinition]:
        return [a for a in self._agents.values() if a.subagent]

    def default(self) -> AgentDefinition:
        return self._agents[DEFAULT_AGENT]  # a built-in; a file of that name replaces it but never removes it

    def default_subagent(self) -> AgentDefinition:
        return self._agents[DEFAULT_SUBAGENT]

    def next_primary(self, current: str | None) -> AgentDefinition:
        """The primary agent after `current` (wrapping round), for Tab."""
        cycle = self.primary() or [self.default()]
        names = [a.name for a in cycle]
        if current not in names:
            return cycle[0]
        return cycle[(names.index(current) + 1) % len(cycle)]
