"""Slash commands typed in the prompt, and the ctrl+p command palette provider that offers the same commands.

Each built-in command names an app action (`AgentApp.action_<name>`); a command that takes an argument (`/rename
New title`, `/export notes.md`) passes the rest of the line as the action's one parameter. Custom commands (Markdown
files, loaded by `agent_tui.core.custom_commands`) come after the built-ins; running one sends its prompt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from agent_tui.core.custom_commands import CustomCommand

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp


@dataclass(frozen=True)
class SlashCommand:
    name: str
    help: str
    action: str
    argument: str | None = None  # what the optional argument is, for the help and the completion menu
    key: str | None = None  # the id of the app binding that does the same, shown in the palette and the help
    custom: CustomCommand | None = None

    @property
    def usage(self) -> str:
        return f"/{self.name}" + (f" [{self.argument}]" if self.argument else "")


COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("new", "Start a new session", "new_session", key="new_session"),
    SlashCommand("sessions", "Switch to another session", "sessions", key="sessions"),
    SlashCommand("models", "Choose the model", "models", key="models"),
    SlashCommand("agent", "Switch agent: build, plan (read-only) or your own (Tab cycles)", "agent", "name"),
    SlashCommand("compact", "Summarise the conversation to free context", "compact"),
    SlashCommand("init", "Write an AGENTS.md describing this project", "init_project"),
    SlashCommand("rename", "Rename this session", "rename_session", "title"),
    SlashCommand("export", "Export this session as a Markdown file", "export_session", "file"),
    SlashCommand("copy", "Copy the last reply to the clipboard", "copy_last_reply"),
    SlashCommand("undo", "Undo the last turn: put back the files it changed", "undo", key="undo"),
    SlashCommand("redo", "Redo the turn undone last", "redo", key="redo"),
    SlashCommand("revert", "Revert to an earlier message (it and every turn after it)", "revert", key="revert"),
    SlashCommand("diff", "Show the files this session changed, as a diff", "show_diff", "file", key="diff"),
    SlashCommand("select", "Select a message or code block to copy or fork from", "select_messages", key="select"),
    SlashCommand("search", "Search the conversation", "search_transcript", "text", key="search"),
    SlashCommand("fork", "Fork the session from one of its messages", "fork_session"),
    SlashCommand("editor", "Edit the prompt in $EDITOR", "edit_prompt", key="editor"),
    SlashCommand("history", "Search the prompts sent before", "search_history", key="history_search"),
    SlashCommand("details", "Expand or collapse every tool panel", "toggle_details", key="details"),
    SlashCommand("themes", "Choose the colour theme", "themes", key="themes"),
    SlashCommand("mcp", "MCP servers: state, reconnect, enable or disable for this session", "mcp_status"),
    SlashCommand("cost", "What this session cost, by model and by kind of token", "cost"),
    SlashCommand("help", "Show every key and command", "help", key="help"),
    SlashCommand("quit", "Quit agent-tui", "quit_app", key="quit"),
)

BUILTIN_NAMES = frozenset(command.name for command in COMMANDS)


class UnknownCommand(ValueError):
    """A line that starts with `/` but names no command. The message lists what exists."""


def from_custom(command: CustomCommand) -> SlashCommand:
    return SlashCommand(command.name, command.description, "run_custom_command", "arguments", custom=command)


class CommandSet:
    """The built-in commands followed by the custom ones."""

    def __init__(self, custom: Iterable[CustomCommand] = ()) -> None:
        extra = [from_custom(c) for c in sorted(custom, key=lambda c: c.name) if c.name not in BUILTIN_NAMES]
        self.commands: tuple[SlashCommand, ...] = (*COMMANDS, *extra)
        self.by_name = {command.name: command for command in self.commands}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.commands)

    def parse(self, text: str) -> tuple[SlashCommand, str] | None:
        """`(command, argument)` for a slash command line; None for an ordinary message.

        A line starting with `//` or `/` followed by a space or a path (`/usr/bin …`) is an ordinary message.
        """
        stripped = text.strip()
        if not stripped.startswith("/") or stripped.startswith("//"):
            return None
        head, _, rest = stripped[1:].partition(" ")
        if not head or "/" in head:
            return None
        command = self.by_name.get(head.lower())
        if command is None:
            names = " ".join(f"/{c.name}" for c in self.commands)
            raise UnknownCommand(f"Unknown command /{head}. Commands: {names}")
        return command, rest.strip()

    def complete(self, prefix: str) -> list[SlashCommand]:
        """Commands whose name starts with `prefix` (without the slash), then those containing it."""
        prefix = prefix.lower()
        starts = [c for c in self.commands if c.name.startswith(prefix)]
        contains = [c for c in self.commands if prefix in c.name and c not in starts]
        return starts + contains


BUILTIN = CommandSet()
BY_NAME = BUILTIN.by_name


def parse(text: str) -> tuple[SlashCommand, str] | None:
    return BUILTIN.parse(text)


def complete(prefix: str) -> list[SlashCommand]:
    return BUILTIN.complete(prefix)


class SlashCommandProvider(Provider):
    """The command palette's entries: every slash command, run as if typed without an argument, with its key."""

    @property
    def _app(self) -> AgentApp:
        return self.app  # type: ignore[return-value]

    def _run(self, command: SlashCommand) -> None:
        self._app.run_slash_command(command, "")

    def _display(self, command: SlashCommand, label: Content) -> Content:
        keys = self._app.keys_for(command.key) if command.key else ""
        return label + Content.styled(f"  {keys}", "$text-muted") if keys else label

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._app.slash_commands:
            label = f"/{command.name}"
            for candidate in (label, command.help):
                if (match := matcher.match(candidate)) > 0:
                    yield Hit(match, self._display(command, matcher.highlight(label)), partial(self._run, command),
                              text=label, help=command.help)
                    break

    async def discover(self) -> Hits:
        for command in self._app.slash_commands:
            yield DiscoveryHit(self._display(command, Content(f"/{command.name}")), partial(self._run, command),
                               text=f"/{command.name}", help=command.help)
