"""Snapshot cost on a large tree: what a checkpoint before a file-changing step costs.

Builds a tree of 10,000 files (a git checkout, with a .gitignore'd folder beside it) and prints:
- the first snapshot (every file hashed into our repository);
- a snapshot of the unchanged tree (median of several): the cost paid before and after each changing step;
- a snapshot after touching 10 files (median of several).

Run: python benchmarks/snapshot.py [FILES]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent_tui.core.snapshot.git import SnapshotRepo

RUNS = 9


def build_tree(root: Path, files: int) -> None:
    for index in range(files):
        folder = root / f"pkg{index // 100:03d}" / f"mod{index // 20 % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{index:05d}.py").write_text(f"# file {index}\n" + "x = 1\n" * (index % 40 + 1))
    (root / ".gitignore").write_text("ignored/\n")
    (root / "ignored").mkdir()
    for index in range(500):
        (root / "ignored" / f"junk{index}.bin").write_bytes(b"\0" * 64)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[int, float] = {}  # id of a wall-time figure -> CPU ms of the git processes behind it


def timed(call) -> float:  # type: ignore[no-untyped-def]
    """Wall ms of `call`; the git processes' CPU ms (what a loaded machine does not inflate) goes to CPU."""
    cpu, start = _children_cpu(), time.perf_counter()
    call()
    wall = (time.perf_counter() - start) * 1000
    CPU[len(CPU)] = (_children_cpu() - cpu) * 1000
    return wall


def cpu_median(first: int, count: int) -> float:
    return statistics.median(CPU[i] for i in range(first, first + count))


def main() -> None:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        build_tree(root, files)
        repo = SnapshotRepo(Path(tmp) / "snapshots", root, user_git=True)
        first = timed(repo.snapshot)
        unchanged = [timed(repo.snapshot) for _ in range(RUNS)]
        touched = []
        for run in range(RUNS):
            for index in range(10):
                path = root / f"pkg{index:03d}" / "mod0" / f"file{index * 100:05d}.py"
                path.write_text(path.read_text() + f"y = {run}\n")
            touched.append(timed(repo.snapshot))
        tree = repo.snapshot()
        count = subprocess.run(["git", "--git-dir", str(repo.git_dir), "ls-tree", "-r", "--name-only", tree],
                               capture_output=True, text=True, check=True).stdout.count("\n")
    print(f"tree: {files:,} files (+500 ignored), {count:,} in the snapshot")
    print("                            wall ms   (git CPU ms)")
    print(f"first snapshot:             {first:8.1f}  ({CPU[0]:.1f})")
    print(f"unchanged tree (median {RUNS}): {statistics.median(unchanged):8.1f}  ({cpu_median(1, RUNS):.1f})  "
          f"min {min(unchanged):.1f}, max {max(unchanged):.1f}")
    print(f"after touching 10 files:    {statistics.median(touched):8.1f}  ({cpu_median(1 + RUNS, RUNS):.1f})  "
          f"min {min(touched):.1f}, max {max(touched):.1f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
