"""What garbage collection of the snapshot repository frees, and what it costs.

Builds a project of FILES small files, then takes TURNS pairs of snapshots around a step that rewrites a 64 KB
file (as a checkpointed turn would), and prints the repository's size on disk; then keeps the trees of the last
KEEP turns (as if the others belonged to deleted sessions) and prints the size after `SnapshotRepo.collect`, with
the collection's CPU time (git's children included) and wall time.

Run: python benchmarks/snapshot_collect.py [FILES] [TURNS] [KEEP]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent_tui.core.snapshot.git import SnapshotRepo


def size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in (folder / "objects").rglob("*") if p.is_file())


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(files: int = 2000, turns: int = 200, keep: int = 20) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        for index in range(files):
            path = project / f"pkg{index % 40}" / f"mod{index}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"def f{index}():\n    return {index}\n" * 20)
        repo = SnapshotRepo(Path(tmp) / "snapshot", project, user_git=False)
        trees: list[str] = []
        for _ in range(turns):
            trees.append(repo.snapshot())
            (project / "data.txt").write_bytes(os.urandom(32 * 1024).hex().encode())  # 64 KB, new each turn
            trees.append(repo.snapshot())
        before = size_on_disk(repo.git_dir)
        cpu, wall = children_cpu() + time.process_time(), time.perf_counter()
        repo.collect(trees[-2 * keep:], expire="now")
        cpu, wall = children_cpu() + time.process_time() - cpu, time.perf_counter() - wall
        after = size_on_disk(repo.git_dir)
        print(f"{files} files, {turns} turns, keeping the last {keep}")
        print(f"repository before collection: {before / 1e6:.1f} MB")
        print(f"repository after collection:  {after / 1e6:.1f} MB")
        print(f"collection: {cpu:.2f} s CPU (git included), {wall:.2f} s wall")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
