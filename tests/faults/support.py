"""Helpers shared by the fault tests: a project configured for the scripted model, and `agent-tui` as a child."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def write_config(project: Path, base: str, **extra: Any) -> None:
    """The scripted model as `fake/m`; titles go to a closed port (they fall back to the first line)."""
    config = {
        "model": "fake/m",
        "small_model": "titles/m",
        "provider": {
            "fake": {"api": "openai", "base_url": base, "api_key": "sk-test", "models": {"m": {}}},
            "titles": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test",
                       "models": {"m": {}}},
        },
        **extra,
    }
    (project / "agent-tui.json").write_text(json.dumps(config))


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["AGENT_TUI_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env.update(extra)
    return env


def agent_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "agent_tui.cli", *args]


def agent(
    project: Path, home: Path, *args: str, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        agent_command(*args), cwd=project, env=child_env(home), capture_output=True, text=True, timeout=timeout,
        **kwargs,
    )


def stored_tool_states(home: Path) -> list[str]:
    """The status of every stored tool part, then `text:...` for every stored text part."""
    import sqlite3

    db = sqlite3.connect(home / "data" / "agent-tui.db")
    try:
        rows = db.execute("SELECT json_extract(data, '$.state.status') FROM parts "
                          "WHERE json_extract(data, '$.type') = 'tool'").fetchall()
        texts = db.execute("SELECT json_extract(data, '$.text') FROM parts "
                           "WHERE json_extract(data, '$.type') = 'text'").fetchall()
    finally:
        db.close()
    return [r[0] for r in rows] + [f"text:{t[0]}" for t in texts]
