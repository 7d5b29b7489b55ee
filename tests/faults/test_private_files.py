"""Secrets at rest (issue 10): what agent-tui writes is 0600 in 0700 folders whatever the umask, and a known
secret never reaches any file it writes, including the full output of a long command saved under tool-output/.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from agent_tui.core.private_files import open_private, private_dir, touch_private, write_private_text
from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.support import agent_command, child_env, write_config

SECRET = "tok-4f9a1c7e2b8d6a3f5e0c9b1a"


def _umask_000() -> None:
    os.umask(0)


def _modes(root: Path) -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    found["."] = oct(stat.S_IMODE(root.stat().st_mode))
    return found


def test_every_file_is_private_and_no_secret_is_stored_under_umask_000(tmp_path: Path):
    project = tmp_path / "proj"
    project.mkdir()
    home = tmp_path / "home"  # missing: agent-tui creates it
    command = 'for i in $(seq 1 3000); do echo "line $i $SERVICE_TOKEN"; done'
    script = [Reply.of(tool_call("bash", {"command": command}, id="b1")), Reply.of(text("done"))]
    env = child_env(home, SERVICE_TOKEN=SECRET)
    with FakeLLMThread(script) as llm:
        write_config(project, llm.openai_base)
        run = subprocess.run(agent_command("run", "--yes", "print it"), cwd=project, env=env, capture_output=True,
                             text=True, timeout=120, preexec_fn=_umask_000)
        sent = [m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"]
    assert run.returncode == 0, run.stderr
    assert sent and SECRET not in sent[0] and "[REDACTED]" in sent[0]
    listed = subprocess.run(agent_command("sessions", "list"), cwd=project, env=env, capture_output=True, text=True,
                            timeout=180, preexec_fn=_umask_000)
    session_id = listed.stdout.split()[0]
    export = home / "exports" / "session.md"
    export.parent.mkdir(mode=0o700)
    exported = subprocess.run(agent_command("sessions", "export", session_id, "-o", str(export)), cwd=project,
                              env=env, capture_output=True, text=True, timeout=180, preexec_fn=_umask_000)
    assert exported.returncode == 0, exported.stderr

    modes = _modes(home)
    saved = [name for name in modes if name.startswith("data/tool-output/") and name.endswith(".txt")]
    assert saved, modes  # the long output was spooled to a file
    assert any(name.endswith(("agent-tui.db-wal", "agent-tui.db")) for name in modes)
    assert "data/log/agent-tui.log" in modes
    # Folders 0700; files readable by the user only (git's sample hooks in the snapshot store keep their x bit).
    wrong = {name: mode for name, mode in modes.items()
             if ((home / name).is_dir() and mode != "0o700") or int(mode, 8) & 0o077}
    assert wrong == {}
    ours = [n for n in modes if n.startswith(("data/agent-tui.db", "data/log/", "data/tool-output/", "exports/"))]
    assert ours and {modes[n] for n in ours if not (home / n).is_dir()} == {"0o600"}
    for name in modes:
        path = home / name
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), name
    assert "[REDACTED]" in (home / saved[0]).read_text()


def test_private_helpers_ignore_the_umask_and_narrow_old_files(tmp_path: Path):
    old = os.umask(0)
    try:
        folder = private_dir(tmp_path / "a" / "b")
        assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        write_private_text(folder / "x.txt", "hi")
        with open_private(folder / "y.log", "a") as f:
            f.write("1")
        wide = folder / "old.db"
        wide.write_text("")
        wide.chmod(0o644)
        touch_private(wide)
        for name in ("x.txt", "y.log", "old.db"):
            assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old)


def test_a_secret_split_across_two_writes_is_still_scrubbed_in_the_spool(tmp_path: Path):
    from agent_tui.core.secrets import SecretScrubber
    from agent_tui.core.tools.spool import ScrubbedSpool

    spool = ScrubbedSpool(tmp_path / "out" / "spool.txt", SecretScrubber([SECRET]))
    for cut in (1, 7, len(SECRET) - 1):
        spool.write(f"line {cut}: {SECRET[:cut]}")
        spool.write(f"{SECRET[cut:]} end\n")
    spool.close()
    saved = (tmp_path / "out" / "spool.txt").read_text()
    assert SECRET not in saved and saved.count("[REDACTED]") == 3
    assert stat.S_IMODE((tmp_path / "out" / "spool.txt").stat().st_mode) == 0o600
