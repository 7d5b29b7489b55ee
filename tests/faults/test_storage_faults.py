"""The database or the data folder cannot be written (issue 10, "Storage and files"): a database locked by
another process, a read-only data folder, a full disk. Each gives a message naming the file and what to do, exit
status 2 for `run`, no traceback; and agent-tui works again once the cause is gone.

Root ignores permission bits, so "read-only" is a read-only bind mount and "full" a small tmpfs; both skip,
saying why, when mounting is not possible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, delay, text
from tests.faults.support import agent, agent_command, child_env, write_config

_HOLDER = """
import select, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]) if len(sys.argv) > 2 else None)  # until released
db.execute("ROLLBACK")
db.close()
"""


class LockHolder:
    """Another process holding `BEGIN EXCLUSIVE` on the database until `release` (or for at most `limit`
    seconds: a test that would otherwise hang on the lock gets to fail)."""

    def __init__(self, db: Path, limit: float | None = None) -> None:
        limits = [] if limit is None else [str(limit)]
        self.proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db), *limits], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    @property
    def holding(self) -> bool:
        return self.proc.poll() is None

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)


def _clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root


def test_a_database_locked_by_another_process(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    db = home / "data" / "agent-tui.db"
    with FakeLLMThread([Reply.of(text("first")), Reply.of(text("again"))]) as llm:
        write_config(project, llm.openai_base)
        assert agent(project, home, "run", "hello").returncode == 0
        before = agent(project, home, "sessions", "list")
        assert before.returncode == 0 and before.stdout.startswith("ses_")
        holder = LockHolder(db)
        try:
            locked = agent(project, home, "run", "hello")
            _clean_failure(locked, str(db), "lock")
            listed = agent(project, home, "sessions", "list")  # reading still works, and shows the same
            assert listed.returncode == 0 and listed.stdout == before.stdout
        finally:
            holder.release()
        again = agent(project, home, "run", "hello")  # the cause is gone: it works again
    assert again.returncode == 0, again.stderr
    assert "again" in again.stdout


def test_a_lock_taken_during_a_turn_is_waited_out_and_nothing_is_lost(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    db = home / "data" / "agent-tui.db"
    # The lock is taken after "part one.", met by the writes of "part two." and released before "part three.".
    script = [Reply.of(text("warm")),
              Reply.of(text("part one. "), delay(4), text("part two. "), delay(12), text("part three."))]
    with FakeLLMThread(script) as llm:
        write_config(project, llm.openai_base)
        assert agent(project, home, "run", "warm up").returncode == 0
        proc = subprocess.Popen(agent_command("run", "--format", "json", "go"), cwd=project, env=child_env(home),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        events = []
        for line in proc.stdout:
            events.append(json.loads(line))
            if "".join(e.get("delta") or "" for e in events).endswith("part one. "):
                break
        holder = LockHolder(db)  # the writes of the rest of the turn meet the lock
        time.sleep(12)  # sequencing, not timing: the writer meets the lock and keeps the records in memory
        holder.release()
        events += [json.loads(line) for line in proc.stdout]
        proc.wait(timeout=60)
    problems = [e for e in events if e["type"] == "storage.problem"]
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert [p["resolved"] for p in problems] == [False, True], problems
    assert str(db) in problems[0]["message"]
    shown = agent(project, home, "sessions", "show", agent(project, home, "sessions", "list").stdout.split()[0])
    assert "part one. part two. part three." in shown.stdout


def _mount(args: list[str]) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount ({' '.join(args)}): {result.stderr.strip()}")


@pytest.fixture
def can_mount() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a read-only bind mount or a small tmpfs (root ignores permission bits)")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_read_only_data_folder(project: Path, tmp_path: Path, can_mount: None):
    home = tmp_path / "home"
    data = home / "data"
    with FakeLLMThread([Reply.of(text("first")), Reply.of(text("again"))]) as llm:
        write_config(project, llm.openai_base)
        assert agent(project, home, "run", "hello").returncode == 0
        _mount(["--bind", str(data), str(data)])
        try:
            _mount(["-o", "remount,bind,ro", str(data)])
            refused = agent(project, home, "run", "hello")
            _clean_failure(refused, str(data / "agent-tui.db"))
            assert "read-only" in refused.stderr or "readonly" in refused.stderr
            listed = agent(project, home, "sessions", "list")  # the log cannot be opened: still no traceback
            assert "Traceback" not in listed.stderr
            assert listed.returncode == 0 or str(data / "agent-tui.db") in listed.stderr
        finally:
            _umount(data)
        again = agent(project, home, "run", "hello")
    assert again.returncode == 0, again.stderr


def test_a_full_disk(project: Path, tmp_path: Path, can_mount: None):
    home = tmp_path / "home"
    home.mkdir()
    mount = home / "data"
    mount.mkdir()
    _mount(["-t", "tmpfs", "-o", f"size=2m,mode=0700,uid={os.getuid()}", f"at-full-{uuid.uuid4().hex[:6]}",
            str(mount)])
    try:
        with FakeLLMThread([Reply.of(text("first")), Reply.of(text("x" * 200_000)), Reply.of(text("again"))]) as llm:
            write_config(project, llm.openai_base)
            assert agent(project, home, "run", "hello").returncode == 0
            filler = mount / "filler"
            with open(filler, "wb") as f:  # fill what is left
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            full = agent(project, home, "run", "write a lot")
            _clean_failure(full, str(mount / "agent-tui.db"), "full")
            filler.unlink()
            again = agent(project, home, "run", "hello")
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip()  # whichever reply the refused run did not use
    finally:
        _umount(mount)


def test_sessions_list_works_when_the_log_cannot_be_opened(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "log").write_text("a file where the log folder should be")
    listed = agent(project, home, "sessions", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == "" and "No sessions" in listed.stdout
