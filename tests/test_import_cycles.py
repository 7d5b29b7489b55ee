"""Every package of agent-tui imports on its own, in a fresh interpreter: no circular import hides behind the
order in which the app happens to load its modules (`import agent_tui.tui.panels` alone used to fail)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each package is imported with none of our modules loaded yet (third-party ones stay loaded: only our own
# import order matters here, and re-importing Textual or pydantic for each would cost seconds).
EACH_ALONE = textwrap.dedent(
    """
    import importlib, pkgutil, sys, traceback
    import agent_tui

    packages = ["agent_tui"] + [m.name for m in pkgutil.walk_packages(agent_tui.__path__, "agent_tui.") if m.ispkg]
    failed = []
    for name in packages:
        for loaded in [m for m in sys.modules if m == "agent_tui" or m.startswith("agent_tui.")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name + ": " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
    print(len(packages))
    print("\\n".join(failed))
    sys.exit(1 if failed else 0)
    """
)


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_tool_panels_import_alone() -> None:
    done = run("import agent_tui.tui.panels")
    assert done.returncode == 0, done.stderr


def test_every_package_imports_alone() -> None:
    done = run(EACH_ALONE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split()[0]) > 10  # the walk found the packages (tui, core, their sub-packages, …)
