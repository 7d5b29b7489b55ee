"""A SessionService on a real SQLite file in a temporary folder, talking to the scripted model server
(`agent_tui.testing.fake_llm`) over real HTTP: the set-up the engine benchmarks share."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class ScriptedService:
    service: Any  # SessionService: imported late, so a benchmark can instrument modules before they load
    base_url: str  # the scripted server's OpenAI-compatible base URL, ending in /v1


@asynccontextmanager
async def scripted_service(replies: list[dict]) -> AsyncIterator[ScriptedService]:
    from agent_tui.core.bus import Bus
    from agent_tui.core.config import Config
    from agent_tui.core.project import Project
    from agent_tui.core.session.service import SessionService
    from agent_tui.core.storage import Storage
    from agent_tui.core.tools.base import ToolRegistry

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        script = root / "script.json"
        script.write_text(json.dumps(replies))
        server = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
            [sys.executable, "-m", "agent_tui.testing.fake_llm", "--script", str(script)],
            stdout=subprocess.PIPE, text=True,
        )
        try:
            assert server.stdout is not None
            base = server.stdout.readline().strip() + "/v1"
            (root / "project").mkdir()
            service = SessionService(
                project=Project.discover(root / "project"),
                config=Config.model_validate({
                    "model": "fake/m",
                    "provider": {"fake": {"api": "openai", "base_url": base, "api_key": "sk-bench",
                                          "models": {"m": {"limit": {"context": 1_000_000, "output": 4_000}}}}},
                }),
                storage=Storage(root / "agent-tui.db"),
                bus=Bus(),
                tools=ToolRegistry([]),
            )
            try:
                yield ScriptedService(service, base)
            finally:
                await service.shutdown()
                service.storage.close()
        finally:
            server.terminate()
            server.wait(10)
