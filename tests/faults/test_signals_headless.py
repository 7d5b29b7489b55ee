"""SIGTERM, SIGHUP and SIGKILL of `agent-tui run` while a bash tool runs (issue 10, "Processes"): the tool's
whole process group ends with it; on SIGTERM/SIGHUP what arrived is stored and the exit status is 0.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.procs import ToolProcesses, tool_command
from tests.faults.support import agent_command, child_env, stored_tool_states, write_config


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


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_the_tool_group_store_the_turn_and_exit_0(sig: signal.Signals, tmp_path: Path):
    llm, proc = _start(tmp_path)
    tools = ToolProcesses(tmp_path)
    try:
        tools.read()
        sent = time.monotonic()
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=120)
        took = time.monotonic() - sent
        print(f"{sig.name}: exited {proc.returncode} after {took:.2f} s")
        assert proc.returncode == 0, err
        assert "stopped by" in err
        tools.wait_gone()
        states = stored_tool_states(tmp_path / "home")
        assert "running" not in states and "pending" not in states, states
        assert "text:Starting it. " in states
    finally:
        tools.kill_leftovers()
        proc.kill()
        llm.__exit__(None, None, None)


def test_sigkill_leaves_no_tool_process_behind(tmp_path: Path):
    llm, proc = _start(tmp_path)
    tools = ToolProcesses(tmp_path)
    try:
        tools.read()
        proc.kill()
        proc.communicate(timeout=120)
        # Nothing of agent-tui ran after SIGKILL: the shell dies by PR_SET_PDEATHSIG, `sleep` by the reaper.
        tools.wait_gone("the orphaned tool processes to die")
    finally:
        tools.kill_leftovers()
        llm.__exit__(None, None, None)
