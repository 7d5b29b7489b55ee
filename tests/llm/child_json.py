"""Running a child `python -c` that prints its findings as one JSON line last (litellm's state is per process)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_child_json(code: str, env: dict[str, str], *args: str, timeout: float = 180) -> dict[str, Any]:
    """Run `code` with `args`; it must exit 0 (its stderr's end is shown if not). Returns its last line, parsed."""
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
