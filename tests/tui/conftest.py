"""Fixtures for the TUI tests: a project, scripted LLM servers, a service wired to them, and screen helpers."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing.fake_llm import FakeLLM
from agent_tui.tui.app import AgentApp
from agent_tui.tui.state import PromptHistory

MODEL = {"limit": {"context": 100_000, "output": 4_000}, "cost": {"input": 3, "output": 15}}
SIZE = (120, 40)


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "hello.py").write_text("print('hello')\n")
    (root / "notes.md").write_text("# Notes\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    return root


def provider(srv: FakeLLM, models: tuple[str, ...] = ("m",)) -> dict[str, Any]:
    return {"api": "openai", "base_url": srv.openai_base, "api_key": "sk-test", "models": {m: MODEL for m in models}}


ServiceFactory = Callable[..., SessionService]


@pytest.fixture
async def make_service(
    project_dir: Path, llm: FakeLLM, title_llm: FakeLLM, tmp_path: Path
) -> AsyncIterator[ServiceFactory]:
    made: list[SessionService] = []

    def factory(*, providers: bool = True, **config: Any) -> SessionService:
        data: dict[str, Any] = {}
        if providers:
            data = {
                "model": "fake/m",
                "small_model": "titles/m",
                "provider": {"fake": provider(llm, ("m", "big")), "titles": provider(title_llm)},
            }
        data.update(config)
        service = SessionService(
            project=Project.discover(project_dir),
            config=Config.model_validate(data),
            storage=Storage(tmp_path / "db" / "agent-tui.db"),
            bus=Bus(),
        )
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.shutdown()
        service.storage.close()


AppFactory = Callable[..., AgentApp]


@pytest.fixture
def make_app(make_service: ServiceFactory, tmp_path: Path) -> Iterator[AppFactory]:
    made: list[AgentApp] = []

    def factory(service: SessionService | None = None, **kwargs: Any) -> AgentApp:
        history = PromptHistory.load(tmp_path / "history.json")
        app = AgentApp(service or make_service(), history=history, warm_up=False, **kwargs)
        made.append(app)
        return app

    yield factory
    # An error inside a widget no longer ends the app (it becomes a toast), so it would pass unnoticed here:
    # every test fails on one, unless it empties the list after checking an error it caused on purpose.
    for app in made:
        assert not app.internal_errors.errors, app.internal_errors.errors


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text (dialogs included)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, color_system=None,
                      legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], *, what: str, tries: int = 1500) -> None:
    """Let the app run until `condition()` holds (each try yields to the loop for up to 20 ms)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type into the focused widget, character by character, as a person would."""
    await pilot.press(*text)  # Pilot maps single characters such as "/" or " " to their key names


async def wait_for_screen(pilot: Pilot[Any], screen_type: type, *, what: str | None = None) -> Any:
    """Wait until a screen of `screen_type` is on top and mounted (its widgets exist); return it."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and app.screen.is_mounted,
                   what=what or screen_type.__name__)
    await pilot.pause()
    return app.screen


Waiter = Callable[[Callable[[], bool], str], Awaitable[None]]


@pytest.fixture
def scene_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The snapshot scenes of this test go under its own tmp_path (so parallel workers and two runs on one
    machine never share a folder); the folder is $HOME while it runs, so the screen shows `~/project`."""
    from tests.tui import scenes

    root = tmp_path / "scene"
    for name in ("HOME", "AGENT_TUI_HOME", "LITELLM_LOCAL_MODEL_COST_MAP"):  # prepare() sets them; put them back
        monkeypatch.setenv(name, os.environ.get(name, ""))
    scenes.use_root(root)
    try:
        yield root
    finally:
        scenes.use_root(None)
