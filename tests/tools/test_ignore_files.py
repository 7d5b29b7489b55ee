"""The tools and the watcher see the files a developer sees (issue 9): every `.gitignore` in the tree scoped to
its folder, `.git/info/exclude` and `.ignore`, with git's own rules (negation, anchoring, `dir/`, `**`).
The expected sets are what `git ls-files --others --exclude-standard` says about the same tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import watchfiles

from agent_tui.core.bus import Bus
from agent_tui.core.tools.glob import GlobParams, GlobTool
from agent_tui.core.tools.grep import GrepParams, GrepTool
from agent_tui.core.tools.ignore import IgnoreRules
from agent_tui.core.tools.ls import LsParams, LsTool
from agent_tui.core.watcher import FileWatcher

TREE = {
    ".gitignore": "*.log\n!keep.log\n/top-only.txt\ngen/\n",
    "top-only.txt": "x",
    "app.log": "x",
    "keep.log": "x",
    "main.py": "x",
    "pkg/top-only.txt": "x",  # `/top-only.txt` is anchored to the root: this one is seen
    "pkg/.gitignore": "secret.py\n/local/\n!important.log\n",
    "pkg/secret.py": "x",
    "pkg/public.py": "x",
    "pkg/important.log": "x",  # re-included by the nested file
    "pkg/local/a.py": "x",
    "pkg/sub/local/b.py": "x",  # `/local/` is anchored to pkg/: this one is seen
    "pkg/sub/secret.py": "x",  # unanchored: ignored at any depth below pkg/
    "other/secret.py": "x",  # pkg/.gitignore does not reach here
    "gen/out.py": "x",
    "deep/gen/out.py": "x",
    "tools/.ignore": "*.bak\n",
    "tools/run.bak": "x",
    "tools/run.py": "x",
    "excluded.txt": "x",
    "a/b/c/d.py": "x",
    "a/.gitignore": "**/c/\n",
}
SEEN = {
    ".gitignore", "keep.log", "main.py", "pkg/top-only.txt", "pkg/.gitignore", "pkg/public.py",
    "pkg/important.log", "pkg/sub/local/b.py", "other/secret.py", "tools/.ignore", "tools/run.py",
    "a/.gitignore",
}


@pytest.fixture
def tree(project: Path) -> Path:
    for rel, text in TREE.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".git" / "info").mkdir(exist_ok=True)
    (project / ".git" / "info" / "exclude").write_text("excluded.txt\n")
    return project


def test_the_expected_set_is_what_git_says(tree: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"], cwd=tree, capture_output=True, text=True, check=True
    ).stdout.split()
    # git does not read `.ignore` (ripgrep's file); everything else must agree with git.
    assert set(listed) - {"tools/run.bak"} == SEEN


def test_rules_match_git_for_every_path(tree: Path) -> None:
    rules = IgnoreRules.load(tree)
    seen = {rel for rel in TREE if not rules.ignored(rel, False)}
    assert seen == SEEN


async def test_glob_and_grep_and_ls_honour_every_ignore_file(ctx, tree: Path) -> None:
    found = await GlobTool(use_ripgrep=False).execute(GlobParams(pattern="**/*"), ctx)
    assert set(found.output.splitlines()) == SEEN
    grepped = await GrepTool(use_ripgrep=False).execute(GrepParams(pattern="x"), ctx)
    lines = grepped.output.splitlines()
    grep_files = {line.rstrip(":") for line in lines if line and not line.startswith((" ", "Found"))}
    assert "other/secret.py" in grep_files and grep_files <= SEEN
    listing = (await LsTool().execute(LsParams(path="pkg"), ctx)).output
    assert "public.py" in listing and "secret.py" not in listing and "important.log" in listing


def test_watcher_honours_nested_ignore_files(tree: Path) -> None:
    watcher = FileWatcher(tree, Bus())
    accepted = {rel for rel in TREE if watcher.accepts(watchfiles.Change.modified, str(tree / rel))}
    assert accepted == SEEN


def test_a_folder_ignored_by_a_parent_cannot_be_reincluded_below(project: Path) -> None:
    (project / ".gitignore").write_text("build/\n")
    (project / "build").mkdir()
    (project / "build" / ".gitignore").write_text("!keep.txt\n")
    (project / "build" / "keep.txt").write_text("x")
    assert IgnoreRules.load(project).ignored("build/keep.txt", False)


def test_outside_a_checkout_gitignore_files_still_count(project: Path) -> None:
    (project / ".gitignore").write_text("*.tmp\n")
    (project / "sub").mkdir()
    (project / "sub" / ".gitignore").write_text("local.txt\n")
    rules = IgnoreRules.load(project)
    assert rules.ignored("a.tmp", False) and rules.ignored("sub/local.txt", False)
    assert not rules.ignored("local.txt", False)
