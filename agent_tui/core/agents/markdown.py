"""Agents defined in Markdown: `NAME.md` with YAML front matter (between `---` lines); the body is the prompt.

    ---
    description: Reviews code for bugs and style
    mode: subagent
    model: anthropic/claude-sonnet-4-5
    temperature: 0.1
    tools: [read, grep, glob]
    permission:
      bash: {"git diff*": "allow", "*": "deny"}
    ---
    You are a careful reviewer. ...

A file that cannot be used raises `AgentFileError` naming the file and the line; the caller skips that agent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent_tui.core.agents.definition import NAME, AgentDefinition

FRONT_MATTER_KEYS = ("description", "mode", "model", "temperature", "tools", "permission", "read_only", "color")


class AgentFileError(Exception):
    """An agent file that cannot be used; the message starts with `path:line:`."""


def _split(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter, body, line number of the body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return "", text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2
    raise AgentFileError(f"{path}:1: the front matter opened with '---' is never closed by another '---' line")


def _key_line(front: str, key: str) -> int:
    """The line (1-based, in the file) where a top-level key of the front matter is written; 1 when not found."""
    for number, line in enumerate(front.splitlines(), start=2):
        if line.split(":", 1)[0].strip() == key and not line.startswith((" ", "\t")):
            return number
    return 1


def _validation_message(path: Path, front: str, error: ValidationError) -> str:
    item = error.errors()[0]
    loc = [str(p) for p in item["loc"]]
    key = loc[0] if loc else "(front matter)"
    where = ".".join(loc) or key
    text = f"key '{where}': {item['msg']}"
    given = item.get("input")
    if not isinstance(given, dict | list):
        text += f" (got {given!r})"
    return f"{path}:{_key_line(front, key)}: {text}"


def parse_agent_file(path: Path) -> AgentDefinition:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AgentFileError(f"{path}:1: not a UTF-8 text file ({exc.reason})") from exc
    except OSError as exc:
        raise AgentFileError(f"{path}:1: cannot read: {exc.strerror}") from exc
    name = path.stem
    if not NAME.match(name):
        raise AgentFileError(f"{path}:1: '{name}' is not a usable agent name (letters, digits, '-', '_', '.')")
    front, body, _ = _split(text, path)
    import yaml  # only when a project defines agents: not on every start-up

    try:
        data: Any = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the opening '---'
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AgentFileError(f"{path}:{line}: invalid YAML front matter: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AgentFileError(f"{path}:2: the front matter must be 'key: value' lines, got {type(data).__name__}")
    if isinstance(data.get("tools"), str):  # `tools: read, grep` is a natural way to write a short list
        data["tools"] = [t.strip() for t in data["tools"].split(",") if t.strip()]
    if isinstance(data.get("tools"), dict):  # opencode's {name: true/false} form
        data["tools"] = [k for k, v in data["tools"].items() if v]
    unknown = [key for key in data if key not in FRONT_MATTER_KEYS]
    if unknown:
        raise AgentFileError(f"{path}:{_key_line(front, str(unknown[0]))}: unknown key '{unknown[0]}' "
                             f"(known: {', '.join(FRONT_MATTER_KEYS)})")
    try:
        return AgentDefinition.model_validate({**data, "name": name, "prompt": body.strip() or None, "source": path})
    except ValidationError as exc:
        raise AgentFileError(_validation_message(path, front, exc)) from exc
