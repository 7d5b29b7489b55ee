"""Configuration: the global file merged with the project's, JSON with comments, validated by pydantic.

Global: `<config dir>/agent-tui.json`. Project: the nearest `agent-tui.json` (or `.agent-tui.json`) walking up
from the working folder to the git root; its keys override the global ones (objects merge key by key).
Errors name the file, the line or the key, and what was expected. Nothing here ever writes a config file.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent_tui.core import jsonc, paths
from agent_tui.core.project import find_git_root

log = logging.getLogger(__name__)

CONFIG_NAMES = ("agent-tui.json", "agent-tui.jsonc", ".agent-tui.json")

Action = Literal["allow", "ask", "deny"]


class ConfigError(Exception):
    """A config file that cannot be used. The message is for the user."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelCost(Strict):
    """Prices in US dollars per million tokens (as providers publish them)."""

    input: float | None = None
    output: float | None = None
    cache_read: float | None = None
    cache_write: float | None = None


class ModelLimit(Strict):
    context: int | None = Field(default=None, gt=0)
    output: int | None = Field(default=None, gt=0)


class ModelConfig(Strict):
    name: str | None = None
    limit: ModelLimit = Field(default_factory=ModelLimit)
    cost: ModelCost = Field(default_factory=ModelCost)
    # The name to send to the provider when it differs from the key (e.g. an Ollama tag).
    id: str | None = None
    temperature: bool = True  # false for models that refuse a temperature
    vision: bool | None = None  # true for models that accept images (e.g. a local LLaVA); None: from the model map


class ProviderConfig(Strict):
    name: str | None = None
    # "openai" for any OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp, LiteLLM proxy).
    api: Literal["openai", "anthropic", "litellm"] | None = None
    base_url: str | None = None
    api_key: str | None = None
    api_key_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    models: dict[str, ModelConfig] = Field(default_factory=dict)
    enabled: bool = True


class McpLocal(Strict):
    type: Literal["local"]
    command: list[str] = Field(min_length=1)
    environment: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    timeout: float = Field(default=60, gt=0)


class McpRemote(Strict):
    type: Literal["remote"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    timeout: float = Field(default=60, gt=0)


McpServer = Annotated[McpLocal | McpRemote, Field(discriminator="type")]


class PermissionConfig(Strict):
    edit: Action | None = None
    bash: Action | dict[str, Action] | None = None
    webfetch: Action | None = None
    external_directory: Action | None = None
    # MCP tools by their name as the model sees it (SERVER_TOOL), wildcards allowed: {"files_*": "ask"}.
    mcp: Action | dict[str, Action] | None = None


class WebfetchConfig(Strict):
    # Loopback, private, link-local (cloud metadata) and other non-public addresses are refused unless true.
    allow_private: bool = False


class ProviderTimeoutConfig(Strict):
    # Seconds without any data from a streaming model before the attempt fails as "the provider stopped
    # sending" (what arrived is kept). Raise it for a slow local model that thinks long before its first token.
    idle: float = Field(default=60, gt=0)


class Config(Strict):
    schema_: str | None = Field(default=None, alias="$schema")
    model: str | None = None
    small_model: str | None = None
    provider: dict[str, ProviderConfig] = Field(default_factory=dict)
    mcp: dict[str, McpServer] = Field(default_factory=dict)
    mcp_startup_timeout: float = Field(default=30, gt=0)
    permission: PermissionConfig = Field(default_factory=PermissionConfig)
    keybinds: dict[str, str] = Field(default_factory=dict)
    theme: str | None = None
    instructions: list[str] = Field(default_factory=list)
    step_limit: int = Field(default=1000, gt=0)
    webfetch: WebfetchConfig = Field(default_factory=WebfetchConfig)
    provider_timeout: ProviderTimeoutConfig = Field(default_factory=ProviderTimeoutConfig)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def global_config_path() -> Path:
    return paths.config_dir() / "agent-tui.json"


def find_project_config(directory: Path) -> Path | None:
    """The nearest config file from `directory` up to the git root (or only `directory` without git)."""
    start = directory.resolve()
    stop = find_git_root(start) or start
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.exists() or candidate.is_symlink():  # a folder or a broken link is an error, not absent
                return candidate
        if folder == stop:
            break
    return None


def _describe_location(loc: tuple[int | str, ...], data: Any, error_type: str) -> str:
    """The user's key path for an error location, following the user's data.

    Pydantic puts labels of its own into locations (union branches such as `literal['allow','ask','deny']`,
    discriminator tags such as `local`). Walking the data tells them apart from keys the user wrote, even from a
    key that happens to be called `local`.
    """
    names: list[str] = []
    current = data
    for position, part in enumerate(loc):
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            names.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            names.append(str(part))
            current = current[part]
        elif error_type == "missing" and position == len(loc) - 1:
            names.append(str(part))  # the key the user left out
    return ".".join(names) or "(top level)"


def _format_validation(path: Path, error: ValidationError, data: dict[str, Any]) -> str:
    problems: dict[str, list[str]] = {}  # key -> messages, in the order pydantic reports them
    for item in error.errors():
        key = _describe_location(tuple(item["loc"]), data, item["type"])
        if item["type"] == "extra_forbidden":
            text = "unknown key"
        elif item["type"] == "missing":
            text = item["msg"]
        else:
            given = item.get("input")
            shown = "an object" if isinstance(given, dict) else json.dumps(given)[:80]
            text = f"{item['msg']} (got {shown})"
        if text not in problems.setdefault(key, []):
            problems[key].append(text)
    # A value that matched no branch of a union gets one error per branch: keep the deepest, most specific ones.
    keys = [k for k in problems if not any(other.startswith(k + ".") for other in problems)]
    lines = [f"{path}: invalid configuration"]
    lines.extend(f"  key '{key}': {' — or: '.join(problems[key])}" for key in keys)
    return "\n".join(lines)


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse and validate one file; return its raw mapping (validated) for merging."""
    try:
        return _read_config_file(path)
    except RecursionError as exc:  # json and pydantic recurse per level: a hostile file must not crash us
        raise ConfigError(f"{path}: nested too deeply to be a configuration (more than "
                          f"{sys.getrecursionlimit()} levels); remove the extra nesting") from exc


def _check_is_file(path: Path) -> None:
    if path.is_symlink() and not path.exists():
        raise ConfigError(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist; fix or remove "
                          "the link")
    if path.is_dir():
        raise ConfigError(f"{path}: a folder, not a config file; remove it or put an agent-tui.json file there "
                          "instead")


def _read_config_file(path: Path) -> dict[str, Any]:
    _check_is_file(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # editors on Windows may start the file with a BOM
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    if not jsonc.strip_comments(text).strip():
        return {}  # empty, or only comments: nothing configured
    try:
        data = jsonc.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object at the top level, got {type(data).__name__}")
    try:
        Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation(path, exc, data)) from exc
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge objects; lists and scalars from `override` replace those of `base`."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


class LoadedConfig(BaseModel):
    config: Config
    files: list[Path]


def load_config(directory: Path | str, *, global_path: Path | None = None) -> LoadedConfig:
    """Load global + project config for `directory`. Raises ConfigError with a user-facing message."""
    files: list[Path] = []
    merged: dict[str, Any] = {}
    global_file = global_path or global_config_path()
    if global_file.exists() or global_file.is_symlink():
        merged = merge(merged, read_config_file(global_file))
        files.append(global_file)
    project_file = find_project_config(Path(directory))
    if project_file is not None and project_file != global_file:
        merged = merge(merged, read_config_file(project_file))
        files.append(project_file)
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:  # both files valid alone but not together: name them both
        raise ConfigError(_format_validation(Path(" + ".join(map(str, files))), exc, merged)) from exc
    log.debug("config loaded from %s", [str(f) for f in files])
    return LoadedConfig(config=config, files=files)
