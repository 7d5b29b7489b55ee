"""Configuration: the global file merged with the project's, JSON with comments, validated by pydantic.

Global: `<config dir>/agent-tui.json`. Project: the nearest `agent-tui.json` (or `.agent-tui.json`) walking up
from the working folder to the git root; its keys override the global ones (objects merge key by key).
Errors name the file, the line or the key, and what was expected. Nothing here ever writes a config file.
"""

from __future__ import annotations

import json
import logging
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
            if candidate.is_file():
                return candidate
        if folder == stop:
            break
    return None


def _describe_location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith("function-")) or "(top level)"


def _format_validation(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if p not in ("local", "remote"))
        key = _describe_location(loc)
        if item["type"] == "extra_forbidden":
            lines.append(f"  key '{key}': unknown key")
            continue
        given = item.get("input")
        shown = json.dumps(given)[:80] if not isinstance(given, dict) else "an object"
        lines.append(f"  key '{key}': {item['msg']} (got {shown})")
    return "\n".join(lines)


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse and validate one file; return its raw mapping (validated) for merging."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    if not text.strip():
        return {}
    try:
        data = jsonc.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object at the top level, got {type(data).__name__}")
    try:
        Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation(path, exc)) from exc
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
    if global_file.is_file():
        merged = merge(merged, read_config_file(global_file))
        files.append(global_file)
    project_file = find_project_config(Path(directory))
    if project_file is not None and project_file != global_file:
        merged = merge(merged, read_config_file(project_file))
        files.append(project_file)
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:  # both files valid alone but not together: name them both
        raise ConfigError(_format_validation(Path(" + ".join(map(str, files))), exc)) from exc
    log.debug("config loaded from %s", [str(f) for f in files])
    return LoadedConfig(config=config, files=files)
