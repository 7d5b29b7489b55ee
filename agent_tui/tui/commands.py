"""Slash commands typed in the prompt, and the ctrl+p command palette provider that offers the same commands.

Each command names an app action (`AgentApp.action_<name>`); a command that takes an argument (`/rename New
title`, `/export notes.md`) passes the rest of the line as the action's one parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp


@dataclass(frozen=True)
class SlashCommand:
    name: str
    help: str
    action: str
    argument: str | None = None  # what the optional argument is, for the help and the completion menu

    @property
    def usage(self) -> str:
        return f"/{self.name}" + (f" [{self.argument}]" if self.argument else "")


COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("new", "Start a new session", "new_session"),
    SlashCommand("sessions", "Switch to another session", "sessions"),
    SlashCommand("models", "Choose the model", "models"),
    SlashCommand("agent", "Switch agent: build, plan (read-only) or your own (Tab cycles)", "agent", "name"),
    SlashCommand("compact", "Summarise the conversation to free context", "compact"),
    SlashCommand("init", "Write an AGENTS.md describing this project", "init_project"),
    SlashCommand("rename", "Rename this session", "rename_session", "title"),
    SlashCommand("export", "Export this session as a Markdown file", "export_session", "file"),
    SlashCommand("copy", "Copy the last reply to the clipboard", "copy_last_reply"),
    SlashCommand("details", "Expand or collapse every tool panel", "toggle_details"),
    SlashCommand("themes", "Choose the colour theme", "themes"),
    SlashCommand("mcp", "Show the MCP servers and their state", "mcp_status"),
    SlashCommand("help", "Show every key and command", "help"),
    SlashCommand("quit", "Quit agent-tui", "quit_app"),
)

BY_NAME = {command.name: command for command in COMMANDS}


class UnknownCommand(ValueError):
    """A line that starts with `/` but names no command. The message lists what exists."""


def parse(text: str) -> tuple[SlashCommand, str] | None:
    """`(command, argument)` for a slash command line; None for an ordinary message.

    A line starting with `//` or `/` followed by a space or a path (`/usr/bin …`) is an ordinary message.
    """
    stripped = text.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    head, _, rest = stripped[1:].partition(" ")
    if not head or "/" in head:
        return None
    command = BY_NAME.get(head.lower())
    if command is None:
        names = " ".join(f"/{c.name}" for c in COMMANDS)
        raise UnknownCommand(f"Unknown command /{head}. Commands: {names}")
    return command, rest.strip()


def complete(prefix: str) -> list[SlashCommand]:
    """Commands whose name starts with `prefix` (without the slash), then those containing it."""
    prefix = prefix.lower()
    starts = [c for c in COMMANDS if c.name.startswith(prefix)]
    contains = [c for c in COMMANDS if prefix in c.name and c not in starts]
    return starts + contains


class SlashCommandProvider(Provider):
    """The command palette's entries: every slash command, run as if typed without an argument."""

    @property
    def _app(self) -> AgentApp:
        return self.app  # type: ignore[return-value]

    def _run(self, command: SlashCommand) -> None:
        self._app.run_slash_command(command, "")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in COMMANDS:
            label = f"/{command.name}"
            for candidate in (label, command.help):
                if (match := matcher.match(candidate)) > 0:
                    yield Hit(match, matcher.highlight(label), partial(self._run, command), text=label,
                              help=command.help)
                    break

    async def discover(self) -> Hits:
        for command in COMMANDS:
            yield DiscoveryHit(f"/{command.name}", partial(self._run, command), help=command.help)
