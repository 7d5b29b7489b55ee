"""Fixtures for engine tests: a project folder, scripted LLM servers and a service wired to them."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing.fake_llm import FakeLLM

MODEL_LIMITS = {"limit": {"context": 100_000, "output": 4_000}, "cost": {"input": 3, "output": 15,
                                                                       "cache_read": 0.3, "cache_write": 3.75}}


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "hello.py").write_text("print('hello')\n")
    (root / "AGENTS.md").write_text("Use tabs, never spaces.\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    return root


def provider_config(srv: FakeLLM, protocol: str = "openai") -> dict[str, Any]:
    base = srv.openai_base if protocol == "openai" else srv.anthropic_base
    return {"api": protocol, "base_url": base, "api_key": "sk-test", "models": {"m": MODEL_LIMITS}}


ServiceFactory = Callable[..., SessionService]


@pytest.fixture
async def make_service(
    project_dir: Path, llm: FakeLLM, title_llm: FakeLLM, tmp_path: Path
) -> AsyncIterator[ServiceFactory]:
    made: list[SessionService] = []

    def factory(protocol: str = "openai", tools: Any = None, **config: Any) -> SessionService:
        data: dict[str, Any] = {
            "model": "fake/m",
            "small_model": "titles/m",
            "provider": {"fake": provider_config(llm, protocol), "titles": provider_config(title_llm)},
        }
        mode = config.pop("permission_mode", "interactive")
        data.update(config)
        service = SessionService(
            project=Project.discover(project_dir),
            config=Config.model_validate(data),
            storage=Storage(tmp_path / "db" / "agent-tui.db"),
            bus=Bus(),
            tools=tools,
            permission_mode=mode,
            retry_base_delay=0.01,
        )
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.shutdown()
        service.storage.close()
