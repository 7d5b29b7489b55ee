"""A turn never imports the built-in tools' modules on the event loop's thread.

They are built on first use (httpx, BeautifulSoup, markdownify, tree-sitter: about 0.2 s of CPU). Built on the
loop by a turn sent while litellm loads in the background, that import shared the interpreter with litellm's
and froze the TUI for 1.2-1.8 s on a busy machine (`benchmarks/ui_stalls.py --send`). Checked in a fresh
interpreter, where nothing has imported them yet, with an audit hook noting the thread of each import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CHILD = r"""
import asyncio, json, sys, tempfile, threading
from pathlib import Path

imported_on = {}

def audit(event, args):
    if event == "import" and args[0] == "agent_tui.core.tools.builtin":
        imported_on.setdefault(args[0], threading.current_thread().name)

sys.addaudithook(audit)
from agent_tui.core.bus import Bus
from agent_tui.core.config import Config
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.testing import FakeLLMThread, text

root = Path(tempfile.mkdtemp())

async def main():
    with FakeLLMThread([[text("hello there")], [text("a title")]]) as srv:
        config = Config.model_validate({"model": "oa/m", "small_model": "oa/m", "provider": {"oa": {
            "api": "openai", "base_url": srv.openai_base, "api_key": "sk-test",
            "models": {"m": {"limit": {"context": 100000, "output": 4000}}}}}})
        svc = SessionService(project=Project.discover(root), config=config, storage=Storage(root / "db"), bus=Bus())
        session = svc.create(title="t")
        assert "agent_tui.core.tools.builtin" not in sys.modules, "the tools were built before the turn"
        reply = await svc.chat(session.id, "hi")
        await svc.shutdown()
    print(json.dumps({"error": reply.error.message if reply.error else None, "imported_on": imported_on,
                      "loop_thread": threading.main_thread().name}))

asyncio.run(main())
"""


@pytest.mark.slow
def test_a_turn_builds_the_builtin_tools_off_the_event_loop(subprocess_env: dict[str, str]) -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], env=subprocess_env, capture_output=True, text=True,
                         timeout=180, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["error"] is None
    assert "agent_tui.core.tools.builtin" in found["imported_on"], "the turn offered no built-in tools"
    assert found["imported_on"]["agent_tui.core.tools.builtin"] != found["loop_thread"]
