from __future__ import annotations

import asyncio
from pathlib import Path

from agent_tui.core.bus import Bus
from agent_tui.core.events import FileChanged
from agent_tui.core.tools.base import FileTimes
from agent_tui.core.watcher import FileWatcher


async def collect_until(events: list[FileChanged], predicate) -> None:
    """Wait (up to 30 s, for a loaded machine) until the events seen satisfy `predicate`."""
    for _ in range(1500):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met; events seen: {events}")


async def started(root: Path) -> tuple[FileWatcher, list[FileChanged]]:
    bus = Bus()
    events: list[FileChanged] = []
    bus.subscribe(FileChanged, events.append)
    watcher = FileWatcher(root, bus, debounce_ms=200, step_ms=20)
    watcher.start()
    async with asyncio.timeout(5):
        await watcher.wait_ready()
    return watcher, events


async def test_reports_changes_and_ignores_git_and_deps(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    (tmp_path / ".gitignore").write_text("*.log\n")
    existing = tmp_path / "existing.py"
    existing.write_text("a")
    watcher, events = await started(tmp_path)
    try:
        (tmp_path / ".git" / "index").write_text("x")
        (tmp_path / "node_modules" / "dep.js").write_text("x")
        (tmp_path / "debug.log").write_text("x")
        (tmp_path / "new.py").write_text("x")
        existing.write_text("b")
        await collect_until(events, lambda: {e.path for e in events} >= {str(tmp_path / "new.py"), str(existing)})
        (tmp_path / "new.py").unlink()
        await collect_until(events, lambda: any(e.change == "deleted" for e in events))
    finally:
        await watcher.stop()
    paths = {e.path for e in events}
    assert not any(".git" in p or "node_modules" in p or p.endswith(".log") for p in paths)
    assert any(e.path == str(tmp_path / "new.py") and e.change == "deleted" for e in events)
    assert not watcher.running


async def test_stops_cleanly_and_restarts(tmp_path: Path) -> None:
    watcher, events = await started(tmp_path)
    await watcher.stop()
    assert not watcher.running
    (tmp_path / "after.txt").write_text("x")
    await asyncio.sleep(0.3)
    assert events == []
    await watcher.stop()  # idempotent
    watcher.start()
    await watcher.wait_ready()
    (tmp_path / "again.txt").write_text("x")
    await collect_until(events, lambda: any(e.path.endswith("again.txt") for e in events))
    await watcher.stop()


async def test_missing_root_does_not_crash(tmp_path: Path) -> None:
    watcher = FileWatcher(tmp_path / "missing", Bus())
    watcher.start()
    await watcher.wait_ready()
    await watcher.stop()


async def test_watcher_feeds_file_times(tmp_path: Path) -> None:
    """Wired as the service does it: FileChanged -> mark_changed. An outside edit is caught, our own is not."""
    path = tmp_path / "a.py"
    path.write_text("one")
    times = FileTimes()
    times.record_read(path)
    watcher, events = await started(tmp_path)
    watcher.bus.subscribe(FileChanged, lambda e: times.mark_changed(Path(e.path)))
    try:
        path.write_text("two")  # an outside change
        await collect_until(events, lambda: len(events) >= 1)
        assert not times.is_fresh(path)
        times.record_read(path)  # e.g. our own write recorded right after writing
        path.write_text("two")  # same content rewritten: the event arrives but the content did not change
        await collect_until(events, lambda: len(events) >= 2)
        assert times.is_fresh(path)
    finally:
        await watcher.stop()


async def test_a_new_nested_gitignore_takes_effect_while_watching(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    watcher, events = await started(tmp_path)
    try:
        (tmp_path / "sub" / ".gitignore").write_text("secret.txt\n")
        await collect_until(events, lambda: any(e.path.endswith("sub/.gitignore") for e in events))
        (tmp_path / "sub" / "secret.txt").write_text("x")
        (tmp_path / "sub" / "public.txt").write_text("x")
        (tmp_path / "secret.txt").write_text("x")  # the nested file does not reach the root
        await collect_until(events, lambda: {e.path for e in events} >= {
            str(tmp_path / "sub" / "public.txt"), str(tmp_path / "secret.txt")})
    finally:
        await watcher.stop()
    assert str(tmp_path / "sub" / "secret.txt") not in {e.path for e in events}


LOOP_IMPORTS_PROBE = r"""
import asyncio, json, sys, tempfile, threading
from pathlib import Path
from agent_tui.core.bus import Bus
from agent_tui.core.watcher import FileWatcher

on_the_loop = []

class Witness:  # notes every module first imported by the event loop's thread
    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is threading.main_thread():
            on_the_loop.append(name)
        return None

async def main():
    watcher = FileWatcher(Path(tempfile.mkdtemp()), Bus())
    sys.meta_path.insert(0, Witness())
    watcher.start()
    await watcher.wait_ready()
    await watcher.stop()
    print(json.dumps(on_the_loop))

asyncio.run(main())
"""


def test_starting_the_watcher_imports_anyio_off_the_event_loop(subprocess_env: dict[str, str]) -> None:
    # The TUI starts the watcher at ready, while litellm loads: anyio's asyncio backend (22 ms of the loop's CPU)
    # imported on the loop delayed the first keys, and could wait on the loading thread's import lock for anyio.
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", LOOP_IMPORTS_PROBE], env=subprocess_env, capture_output=True,
                         text=True, timeout=60, check=True)
    on_the_loop = json.loads(out.stdout.strip().splitlines()[-1])
    heavy = [name for name in on_the_loop if name.split(".")[0] in ("anyio", "sniffio", "watchfiles")]
    assert heavy == [], f"the watcher's start imported anyio on the event loop: {heavy[:8]}"
