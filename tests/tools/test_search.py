from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.glob import GlobParams, GlobTool
from agent_tui.core.tools.grep import GrepParams, GrepTool
from agent_tui.core.tools.ls import LsParams, LsTool

ENGINES = [pytest.param(False, id="python")]
if shutil.which("rg"):
    ENGINES.append(pytest.param(None, id="ripgrep"))


def make_tree(root: Path) -> None:
    files = {
        "src/app.py": "def main():\n    return helper()\n",
        "src/util/helper.py": "def helper():\n    return 42  # TODO tidy\n",
        "README.md": "# Demo\nTODO: write docs\n",
        "node_modules/lib/index.js": "TODO in a dependency\n",
        ".git/config": "TODO in git\n",
        ".venv/lib/site.py": "TODO in venv\n",
        "build/out.py": "TODO in build output\n",
        "logs/debug.log": "TODO ignored by gitignore\n",
        ".gitignore": "logs/\n*.tmp\n",
        "notes.tmp": "TODO ignored file\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "src/data.bin").write_bytes(b"TODO\x00\x01\x02binary")
    now = time.time()
    os.utime(root / "README.md", (now - 100, now - 100))  # oldest
    os.utime(root / "src/app.py", (now - 50, now - 50))
    os.utime(root / "src/util/helper.py", (now, now))  # newest


@pytest.mark.parametrize("use_rg", ENGINES)
async def test_glob_newest_first_skipping_ignored(ctx, project: Path, use_rg) -> None:
    make_tree(project)
    result = await GlobTool(use_ripgrep=use_rg).execute(GlobParams(pattern="**/*.py"), ctx)
    assert result.output.splitlines() == ["src/util/helper.py", "src/app.py"]


@pytest.mark.parametrize("use_rg", ENGINES)
async def test_glob_name_pattern_matches_any_depth_and_braces(ctx, project: Path, use_rg) -> None:
    make_tree(project)
    result = await GlobTool(use_ripgrep=use_rg).execute(GlobParams(pattern="*.{py,md}", path="src"), ctx)
    assert set(result.output.splitlines()) == {"src/util/helper.py", "src/app.py"}


@pytest.mark.parametrize("use_rg", ENGINES)
async def test_glob_caps_at_100_with_note(ctx, project: Path, use_rg) -> None:
    for i in range(130):
        (project / f"f{i:03}.txt").write_text("x")
    result = await GlobTool(use_ripgrep=use_rg).execute(GlobParams(pattern="*.txt"), ctx)
    assert len([line for line in result.output.splitlines() if line.endswith(".txt")]) == 100
    assert "100 most recently modified of 130" in result.output


async def test_glob_bad_inputs(ctx, project: Path) -> None:
    tool = GlobTool(use_ripgrep=False)
    with pytest.raises(ToolError, match="not found"):
        await tool.execute(GlobParams(pattern="*", path="missing"), ctx)
    result = await tool.execute(GlobParams(pattern="*.nothing"), ctx)
    assert "No files match" in result.output


@pytest.mark.parametrize("use_rg", ENGINES)
async def test_grep_finds_skips_and_orders(ctx, project: Path, use_rg) -> None:
    make_tree(project)
    result = await GrepTool(use_ripgrep=use_rg).execute(GrepParams(pattern="TODO"), ctx)
    out = result.output
    assert "Found 2 matches in 2 files" in out
    assert out.index("src/util/helper.py:") < out.index("README.md:")
    assert "  2:     return 42  # TODO tidy" in out
    for skipped in ("node_modules", ".git", ".venv", "build", "debug.log", "notes.tmp", "data.bin"):
        assert skipped not in out


@pytest.mark.parametrize("use_rg", ENGINES)
async def test_grep_include_filter(ctx, project: Path, use_rg) -> None:
    make_tree(project)
    result = await GrepTool(use_ripgrep=use_rg).execute(GrepParams(pattern=r"def \w+", include="*.py"), ctx)
    assert result.metadata["matches"] == 2 and "README" not in result.output


async def test_grep_invalid_regex(ctx) -> None:
    with pytest.raises(ToolError, match="Invalid regular expression"):
        await GrepTool(use_ripgrep=False).execute(GrepParams(pattern="foo(bar"), ctx)


async def test_grep_caps_at_100(ctx, project: Path) -> None:
    (project / "many.txt").write_text("hit\n" * 150)
    result = await GrepTool(use_ripgrep=False).execute(GrepParams(pattern="hit"), ctx)
    assert result.output.count(": hit") == 100 and "Showing 100 of" in result.output


async def test_grep_single_file_and_no_match(ctx, project: Path) -> None:
    (project / "a.txt").write_text("alpha\nbeta\n")
    tool = GrepTool(use_ripgrep=False)
    result = await tool.execute(GrepParams(pattern="beta", path="a.txt"), ctx)
    assert "  2: beta" in result.output
    result = await tool.execute(GrepParams(pattern="gamma"), ctx)
    assert "No matches" in result.output


async def test_ls_tree(ctx, project: Path) -> None:
    make_tree(project)
    result = await LsTool().execute(LsParams(), ctx)
    lines = result.output.splitlines()
    assert lines[0] == f"{project}/"
    assert "  src/" in lines and "    app.py" in lines and "      helper.py" in lines
    assert "  README.md" in lines
    assert "node_modules/" in result.output and "not listed" in result.output
    assert "index.js" not in result.output and "debug.log" not in result.output


async def test_ls_caps_and_ignores(ctx, project: Path) -> None:
    for i in range(250):
        (project / f"f{i:03}.txt").write_text("")
    (project / "keep.md").write_text("")
    result = await LsTool().execute(LsParams(ignore=["*.txt"]), ctx)
    assert result.output.splitlines()[1:] == ["  keep.md"]
    result = await LsTool().execute(LsParams(), ctx)
    assert result.metadata["truncated"] is True and "capped at 200" in result.output


async def test_ls_bad_inputs(ctx, project: Path) -> None:
    (project / "f.txt").write_text("")
    with pytest.raises(ToolError, match="is a file"):
        await LsTool().execute(LsParams(path="f.txt"), ctx)
    with pytest.raises(ToolError, match="not found"):
        await LsTool().execute(LsParams(path="nope"), ctx)


async def test_search_outside_project_asks(ctx, recorder, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.py").write_text("")
    result = await GlobTool(use_ripgrep=False).execute(GlobParams(pattern="*.py", path=str(other)), ctx)
    assert recorder.permissions() == ["external_directory"]
    assert str(other / "x.py") in result.output
