"""Custom slash commands written as Markdown files: `.agent-tui/commands/NAME.md`.

They are read from the global config folder and from the project (the working folder and each folder up to the
project root; the nearest wins, so a project can replace a global command). The file's body is the prompt sent
to the model; `$ARGUMENTS` is replaced by what follows the command name, `$1`…`$9` by its words. Optional YAML
front matter gives a `description` (shown in the menu and the palette) and a `model`.

A file that cannot be read or parsed is skipped with a warning in the log and in `problems`; it never stops the
app. Nothing here imports Textual.
"""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.project import Project

log = logging.getLogger(__name__)

COMMANDS_FOLDER = Path(".agent-tui") / "commands"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
POSITIONAL = re.compile(r"\$([1-9])")
MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class CustomCommand:
    name: str
    template: str
    description: str
    path: Path
    model: str | None = None

    def expand(self, arguments: str) -> str:
        """The prompt for `/name arguments`: `$ARGUMENTS` and `$1`…`$9` filled in. Arguments given to a template
        that does not mention them are added at the end, so nothing the user typed is dropped."""
        arguments = arguments.strip()
        try:
            words = shlex.split(arguments)
        except ValueError:  # an unbalanced quote: plain whitespace split
            words = arguments.split()
        text = self.template.replace("$ARGUMENTS", arguments)
        text = POSITIONAL.sub(lambda m: words[int(m.group(1)) - 1] if int(m.group(1)) <= len(words) else "", text)
        uses_arguments = "$ARGUMENTS" in self.template or POSITIONAL.search(self.template) is not None
        if arguments and not uses_arguments:
            text = f"{text.rstrip()}\n\n{arguments}"
        return text.strip()


@dataclass
class CommandLibrary:
    commands: dict[str, CustomCommand] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # one line per skipped file, for the user

    def get(self, name: str) -> CustomCommand | None:
        return self.commands.get(name.lower())


def command_folders(project: Project) -> list[Path]:
    """Folders searched, lowest precedence first: the global one, then the project root down to the working
    folder."""
    folders = [paths.config_dir() / "commands"]
    directory = project.directory
    chain = [directory, *directory.parents]
    if project.root in chain:
        chain = chain[: chain.index(project.root) + 1]
    else:
        chain = [directory]
    folders.extend(folder / COMMANDS_FOLDER for folder in reversed(chain))
    return folders


def parse_command(path: Path, text: str) -> CustomCommand:
    """Raises ValueError with a message naming what is wrong."""
    meta: dict[str, object] = {}
    body = text
    match = FRONT_MATTER.match(text)
    if match:
        import yaml  # only for a file with front matter: not on every start-up

        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise ValueError(f"front matter is not valid YAML: {str(exc).splitlines()[0]}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ValueError("front matter must be `key: value` lines")
        meta = loaded or {}
        body = text[match.end():]
    body = body.strip()
    if not body:
        raise ValueError("the file has no prompt text")
    description = meta.get("description")
    model = meta.get("model")
    first_line = body.splitlines()[0].strip().lstrip("#").strip()
    return CustomCommand(
        name=path.stem.lower(),
        template=body,
        description=str(description).strip() if description else first_line[:80],
        path=path,
        model=str(model).strip() if isinstance(model, str) and "/" in model else None,
    )


def load_commands(project: Project, *, reserved: set[str] | frozenset[str] = frozenset()) -> CommandLibrary:
    """Every custom command visible from the project. Names in `reserved` (the built-in commands) are skipped."""
    library = CommandLibrary()
    for folder in command_folders(project):
        try:
            files = sorted(folder.glob("*.md")) if folder.is_dir() else []
        except OSError as exc:
            library.problems.append(f"{folder}: {exc.strerror or exc}")
            continue
        for path in files:
            name = path.stem.lower()
            if not NAME.match(name):
                library.problems.append(f"{path}: the name must be letters, digits, '-', '_' or '.'")
                continue
            if name in reserved:
                library.problems.append(f"{path}: /{name} is a built-in command; rename the file")
                continue
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise ValueError(f"larger than {MAX_FILE_BYTES // 1024} KB")
                command = parse_command(path, path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                library.problems.append(f"{path}: {reason}")
                continue
            library.commands[name] = command  # later folders are nearer the working folder: they win
    for problem in library.problems:
        log.warning("custom command skipped: %s", problem)
    return library
