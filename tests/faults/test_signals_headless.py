"""SIGTERM, SIGHUP and SIGKILL of `agent-tui run` while a bash tool runs (issue 10, "Processes"): the tool's
whole process group ends with it; on SIGTERM/SIGHUP what arrived is stored and the exit status is 0.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.procs import alive, kill_leftovers, read_pid, tool_command, wait_until
from tests.faults.support import agent_command, child_env, write_config


def _start(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = tmp_path / "proj"
    project.mkdir()
    script = [Reply.of(text("Starting it. "), tool_call("bash", {"command": tool_command(tmp_path)}, id="b1")),
              Reply.of(text("never reached"))]
    llm = FakeLLMThread(script).__enter__()
    write_config(project, llm.openai_base)
    proc = subprocess.Popen(agent_command("run", "--yes", "start the server"), cwd=project,
                            env=child_env(tmp_path / "home"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    return llm, proc


def _tool_states(home: Path) -> list[str]:
    db = sqlite3.connect(home / "data" / "agent-tui.db")
    try:
        rows = db.execute("SELECT json_extract(data, '$.state.status') FROM parts "
                          "WHERE json_extract(data, '$.type') = 'tool'").fetchall()
        texts = db.execute("SELECT json_extract(data, '$.text') FROM parts "
                           "WHERE json_extract(data, '$.type') = 'text'").fetchall()
    finally:
        db.close()
    return [r[0] for r in rows] + [f"text:{t[0]}" for t in texts]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_the_tool_group_store_the_turn_and_exit_0(sig: signal.Signals, tmp_path: Path):
    llm, proc = _start(tmp_path)
    shell = sleeper = 0
    try:
        shell, sleeper = read_pid(tmp_path / "shell.pid"), read_pid(tmp_path / "sleep.pid")
        sent = time.monotonic()
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=120)
        took = time.monotonic() - sent
        print(f"{sig.name}: exited {proc.returncode} after {took:.2f} s")
        assert proc.returncode == 0, err
        assert "stopped by" in err
        wait_until(lambda: not alive(sleeper) and not alive(shell), "the tool's processes to end", timeout=30)
        states = _tool_states(tmp_path / "home")
        assert "running" not in states and "pending" not in states, states
        assert "text:Starting it. " in states
    finally:
        kill_leftovers(shell, sleeper)
        proc.kill()
        llm.__exit__(None, None, None)


def test_sigkill_leaves_no_tool_process_behind(tmp_path: Path):
    llm, proc = _start(tmp_path)
    shell = sleeper = 0
    try:
        shell, sleeper = read_pid(tmp_path / "shell.pid"), read_pid(tmp_path / "sleep.pid")
        proc.kill()
        proc.communicate(timeout=120)
        # Nothing of agent-tui ran after SIGKILL: the shell dies by PR_SET_PDEATHSIG, `sleep` by the reaper.
        wait_until(lambda: not alive(sleeper) and not alive(shell), "the orphaned tool processes to die", timeout=30)
    finally:
        kill_leftovers(shell, sleeper)
        llm.__exit__(None, None, None)
