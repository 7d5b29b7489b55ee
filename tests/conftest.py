"""Shared fixtures. Every test gets its own agent-tui home and an environment without provider credentials."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLM

# Provider settings litellm and our catalog read. Removed so that no test can reach a real provider.
_PROVIDER_SUFFIXES = ("_API_KEY", "_BASE_URL", "_API_BASE", "_API_TOKEN")
_PROVIDER_NAMES = ("OPENAI_ORGANIZATION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AZURE_API_VERSION")


def provider_variables(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    return [name for name in environ if name.endswith(_PROVIDER_SUFFIXES) or name in _PROVIDER_NAMES]


@pytest.fixture(autouse=True)
def agent_tui_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `AGENT_TUI_HOME` (data, config, state, logs) per test; provider keys and URLs unset."""
    home = tmp_path_factory.mktemp("agent-tui-home")
    monkeypatch.setenv("AGENT_TUI_HOME", str(home))
    # litellm must never fetch its price list from the internet during tests.
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    for name in provider_variables(os.environ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[logging.Logger]:
    """`setup_logging` (called by `cli.main`) changes the process-wide root logger: undo it after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    for handler in [h for h in handlers if h not in root.handlers]:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture(autouse=True, scope="session")
def litellm_imported(request: pytest.FixtureRequest) -> None:
    """Import litellm once per test process before the first test, when any test streams from the scripted
    server in this process: its import costs ~4 s of CPU (far more on a loaded machine), which otherwise lands
    inside whichever test happens to stream first (any test, under pytest-xdist) and can outlast its timeout."""
    if any("llm" in item.fixturenames for item in request.session.items):
        from agent_tui.core.llm.litellm_loader import load_litellm

        load_litellm()


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    """The scripted model server the conversation talks to; tests add replies with `llm.add(...)`."""
    async with FakeLLM([]) as srv:
        yield srv


@pytest.fixture
async def title_llm() -> AsyncIterator[FakeLLM]:
    """A second server for title requests, so that they never take a reply meant for the conversation."""
    async with FakeLLM([]) as srv:
        yield srv


REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def subprocess_env(agent_tui_home: Path) -> dict[str, str]:
    """Environment for a child `python` process: imports this checkout's `agent_tui`, same clean home."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env
