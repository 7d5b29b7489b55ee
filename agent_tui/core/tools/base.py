"""The tool interface: a `Params` model (its JSON schema goes to the model), a description loaded from
`prompts/tools/NAME.md`, and `execute(params, ctx) -> ToolResult`.

Errors a model can cause are raised as `ToolError` with a message the model can act on; the engine sends it back
as the tool's result and the turn goes on.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, Field

from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.models import Todo
from agent_tui.core.text_encoding import unescape_bytes
from agent_tui.core.tools.access import CommandRunner, FileAccess
from agent_tui.resources import prompt_path

if TYPE_CHECKING:
    from agent_tui.core.secrets import SecretScrubber


class ToolError(Exception):
    """A failure the model should hear about (bad path, no match, …). The message is sent as the result."""


class PermissionRejected(ToolError):
    """The user (or the config) refused the action."""


class Attachment(DeferredModel):
    """A file returned to the model with a result (images for models that accept them)."""

    mime: str
    filename: str | None = None
    data_base64: str


class ToolResult(DeferredModel):
    title: str = ""
    output: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    attachments: list[Attachment] = Field(default_factory=list)


class PermissionRequest(DeferredModel):
    permission: str  # "edit", "bash", "webfetch", "external_directory", or an MCP tool name
    title: str  # what will happen, in one line, for the dialog
    patterns: list[str] = Field(default_factory=list)  # what "always" would allow (commands, paths)
    metadata: dict[str, Any] = Field(default_factory=dict)  # e.g. {"diff": "..."} for an edit preview


class SubagentResult(DeferredModel):
    session_id: str
    text: str


class ToolHost(Protocol):
    """What the session service offers tools beyond the context's fields."""

    def get_todos(self, session_id: str) -> list[Todo]: ...

    def set_todos(self, session_id: str, todos: list[Todo]) -> None: ...

    async def run_subagent(self, ctx: ToolContext, description: str, prompt: str,
                           agent: str | None = None) -> SubagentResult: ...


class FileTimes:
    """When each file was last read by the model in one session, for the read-before-write rule.

    A read records the file's mtime, size and (up to 16 MB) a content hash. A file counts as changed when its
    mtime or size differ, or when the watcher reported it (`mark_changed`); in both cases the hash decides, so
    a watcher event caused by our own write (recorded with `record_read` right after it) or a mere `touch`
    is not mistaken for an outside change, while a same-size rewrite within the mtime granularity is caught.
    """

    HASH_LIMIT = 16 * 1024 * 1024

    def __init__(self) -> None:
        self._read: dict[Path, float] = {}
        self._stamp: dict[Path, tuple[int, int, str | None]] = {}
        self._changed_outside: set[Path] = set()

    @classmethod
    def _fingerprint(cls, path: Path) -> tuple[int, int, str | None]:
        stat = path.stat()
        digest: str | None = None
        if stat.st_size <= cls.HASH_LIMIT:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        return stat.st_mtime_ns, stat.st_size, digest

    def record_read(self, path: Path) -> None:
        resolved = path.resolve()
        mtime_ns, size, digest = self._fingerprint(resolved)
        self._read[resolved] = mtime_ns / 1e9
        self._stamp[resolved] = (mtime_ns, size, digest)
        self._changed_outside.discard(resolved)

    def mark_changed(self, path: Path) -> None:
        """Called for file-watcher events; whether the content really changed is decided in `assert_fresh`."""
        resolved = path.resolve()
        if resolved in self._read:
            self._changed_outside.add(resolved)

    def last_read(self, path: Path) -> float | None:
        return self._read.get(path.resolve())

    def is_fresh(self, path: Path) -> bool:
        """True when `path` was read in this session and its content is unchanged since."""
        resolved = path.resolve()
        recorded = self._stamp.get(resolved)
        if recorded is None:
            return False
        try:
            stat = resolved.stat()
        except OSError:
            return False
        if (stat.st_mtime_ns, stat.st_size) == recorded[:2] and resolved not in self._changed_outside:
            return True
        if recorded[2] is None or stat.st_size != recorded[1]:
            return False
        try:
            current = self._fingerprint(resolved)
        except OSError:
            return False
        if current[2] != recorded[2]:
            return False
        self._stamp[resolved] = current  # same content (touched, or our own write seen by the watcher)
        self._changed_outside.discard(resolved)
        return True

    def assert_fresh(self, path: Path) -> None:
        """Raise ToolError unless `path` was read in this session and has not changed on disk since."""
        resolved = path.resolve()
        if resolved not in self._read:
            raise ToolError(f"You must read {path} with the read tool before changing it.")
        if not resolved.exists():
            raise ToolError(f"{path} was deleted since you read it. Read the folder again.")
        if not self.is_fresh(resolved):
            raise ToolError(
                f"{path} was modified on disk since you last read it. Read it again before changing it."
            )


@dataclass
class ToolContext:
    session_id: str
    message_id: str
    call_id: str
    directory: Path  # the working folder; relative paths resolve here
    root: Path  # the project root (git root or the working folder)
    abort: asyncio.Event
    ask: Callable[[PermissionRequest], Awaitable[None]]  # raises PermissionRejected
    update: Callable[[str | None, dict[str, Any]], None]  # live title/metadata for the panel
    file_times: FileTimes
    host: ToolHost | None = None
    agent_depth: int = 0  # 0 for the main agent, 1 for a sub-agent started by `task`
    # Known secret values to hide in what a tool writes to disk itself (bash's spooled output).
    scrub: SecretScrubber | None = None
    # Offered by a front end (an editor over ACP); None means the disk and our own processes.
    files: FileAccess | None = None
    commands: CommandRunner | None = None

    def resolve(self, path: str) -> Path:
        """Resolve a model-supplied path against the working folder (`~` expanded)."""
        candidate = Path(os.path.expanduser(path))
        if not candidate.is_absolute():
            candidate = self.directory / candidate
        resolved = Path(os.path.normpath(candidate))
        # A name that is not UTF-8 was shown to the model as `caf\xe9.txt`: find the file it means.
        if (raw := unescape_bytes(path)) is not None and not os.path.lexists(resolved):
            original = self.resolve(raw)
            if os.path.lexists(original):
                return original
        return resolved

    def is_inside_project(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        return True


class Tool(ABC):
    """One tool. Subclasses set `name` and `Params` and implement `execute`."""

    name: ClassVar[str]
    Params: ClassVar[type[BaseModel]]

    @property
    def description(self) -> str:
        return load_description(self.name)

    def schema(self) -> dict[str, Any]:
        """The OpenAI function-tool schema sent to the model."""
        parameters = inline_refs(self.Params.model_json_schema())
        parameters.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": parameters},
        }

    def title_for(self, params: dict[str, Any]) -> str:
        """A short title for the panel header, from the (possibly incomplete) input."""
        for key in ("description", "file_path", "path", "pattern", "command", "url", "prompt"):
            value = params.get(key)
            if isinstance(value, str) and value:
                return value if len(value) <= 80 else value[:79] + "…"
        return ""

    @abstractmethod
    async def execute(self, params: Any, ctx: ToolContext) -> ToolResult: ...


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace local `$ref`s by their `$defs` entries: some providers (Gemini) reject references.

    Recursive definitions cannot be inlined; they are left as they are (with their `$defs`).
    """
    defs = schema.get("$defs") or schema.get("definitions") or {}
    if not defs:
        return schema
    recursive = False

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        nonlocal recursive
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
                name = ref.rsplit("/", 1)[1]
                if name in seen or name not in defs:
                    recursive = True
                    return node
                merged = {**defs[name], **{k: v for k, v in node.items() if k != "$ref"}}
                return resolve(merged, (*seen, name))
            return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        return node

    result = resolve(schema, ())
    if recursive:
        return schema
    return result


_descriptions: dict[str, str] = {}


def load_description(name: str) -> str:
    if name not in _descriptions:
        path = prompt_path(f"tools/{name}.md")
        _descriptions[name] = path.read_text(encoding="utf-8").strip() if path.is_file() else name
    return _descriptions[name]


class ToolRegistry:
    """The tools available to one run: built-ins plus whatever MCP servers are ready."""

    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools or []:
            self.register(tool)

    def register(self, tool: Tool) -> None:
        self._tools[tool.name] = tool

    def unregister(self, name: str) -> None:
        self._tools.pop(name, None)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def tools(self, exclude: set[str] | frozenset[str] = frozenset()) -> list[Tool]:
        return [t for n, t in self._tools.items() if n not in exclude]

    def schemas(self, exclude: set[str] | frozenset[str] = frozenset()) -> list[dict[str, Any]]:
        return [t.schema() for t in self.tools(exclude)]

    def copy(self) -> ToolRegistry:
        return ToolRegistry(list(self._tools.values()))
