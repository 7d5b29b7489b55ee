"""A real ToolContext on a tmp project folder, with a permission asker that records requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent_tui.core.models import Todo
from agent_tui.core.tools.base import (
    FileTimes,
    PermissionRejected,
    PermissionRequest,
    SubagentResult,
    ToolContext,
)


@dataclass
class Recorder:
    """Stands in for the session service: records permission requests, live updates, todos."""

    asked: list[PermissionRequest] = field(default_factory=list)
    updates: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)  # permissions to refuse
    todos: dict[str, list[Todo]] = field(default_factory=dict)
    subagent_calls: list[tuple[str, str]] = field(default_factory=list)

    async def ask(self, request: PermissionRequest) -> None:
        self.asked.append(request)
        if request.permission in self.reject:
            raise PermissionRejected(f"{request.permission} refused in test")

    def update(self, title: str | None, metadata: dict[str, Any]) -> None:
        self.updates.append((title, dict(metadata)))

    def get_todos(self, session_id: str) -> list[Todo]:
        return list(self.todos.get(session_id, []))

    def set_todos(self, session_id: str, todos: list[Todo]) -> None:
        self.todos[session_id] = list(todos)

    async def run_subagent(self, ctx: ToolContext, description: str, prompt: str,
                           agent: str | None = None) -> SubagentResult:
        self.subagent_calls.append((description, prompt))
        return SubagentResult(session_id="ses_child", text=f"done: {prompt}")

    def permissions(self) -> list[str]:
        return [r.permission for r in self.asked]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    # AGENT_TUI_HOME is already a tmp folder (tests/conftest.py), so saved tool output stays inside the test.
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_ctx(project: Path, recorder: Recorder) -> Callable[..., ToolContext]:
    file_times = FileTimes()

    def factory(**overrides: Any) -> ToolContext:
        values: dict[str, Any] = {
            "session_id": "ses_test",
            "message_id": "msg_test",
            "call_id": "call_1",
            "directory": project,
            "root": project,
            "abort": asyncio.Event(),
            "ask": recorder.ask,
            "update": recorder.update,
            "file_times": file_times,
            "host": recorder,
        }
        values.update(overrides)
        return ToolContext(**values)

    return factory


@pytest.fixture
def ctx(make_ctx: Callable[..., ToolContext]) -> ToolContext:
    return make_ctx()
