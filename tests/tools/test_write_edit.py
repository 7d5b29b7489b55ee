from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.edit import EditParams, EditTool
from agent_tui.core.tools.multiedit import MultiEditParams, MultiEditTool
from agent_tui.core.tools.read import ReadParams, ReadTool
from agent_tui.core.tools.write import WriteParams, WriteTool


async def read(ctx, path: str) -> None:
    await ReadTool().execute(ReadParams(file_path=path), ctx)


async def edit(ctx, **kwargs):
    return await EditTool().execute(EditParams(**kwargs), ctx)


async def write(ctx, **kwargs):
    return await WriteTool().execute(WriteParams(**kwargs), ctx)


# --- write ---------------------------------------------------------------------------------------------------


async def test_write_creates_file_and_folders_with_diff(ctx, project: Path, recorder) -> None:
    result = await write(ctx, file_path="src/new.py", content="print('hi')\n")
    assert (project / "src/new.py").read_text() == "print('hi')\n"
    assert result.metadata["created"] is True and result.metadata["additions"] == 1
    assert "+print('hi')" in result.metadata["diff"]
    assert recorder.permissions() == ["edit"] and "+print('hi')" in recorder.asked[0].metadata["diff"]


async def test_write_over_unread_file_refused(ctx, project: Path) -> None:
    (project / "a.txt").write_text("old\n")
    with pytest.raises(ToolError, match="must read"):
        await write(ctx, file_path="a.txt", content="new\n")
    assert (project / "a.txt").read_text() == "old\n"


async def test_write_after_read_keeps_mode_and_leaves_no_temp(ctx, project: Path) -> None:
    script = project / "run.sh"
    script.write_text("echo old\n")
    script.chmod(0o755)
    await read(ctx, "run.sh")
    await write(ctx, file_path="run.sh", content="echo new\n")
    assert script.read_text() == "echo new\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert sorted(os.listdir(project)) == ["run.sh"]


async def test_write_after_outside_change_refused(ctx, project: Path) -> None:
    path = project / "a.txt"
    path.write_text("v1\n")
    await read(ctx, "a.txt")
    path.write_text("v2 from the user\n")
    with pytest.raises(ToolError, match="modified on disk"):
        await write(ctx, file_path="a.txt", content="model\n")
    assert path.read_text() == "v2 from the user\n"


async def test_permission_rejection_leaves_file(ctx, project: Path, recorder) -> None:
    recorder.reject.add("edit")
    with pytest.raises(ToolError, match="refused"):
        await write(ctx, file_path="x.txt", content="x")
    assert not (project / "x.txt").exists()


async def test_write_outside_project_asks_external_then_edit(ctx, recorder, tmp_path: Path) -> None:
    target = tmp_path / "outside" / "f.txt"
    await write(ctx, file_path=str(target), content="x\n")
    assert recorder.permissions() == ["external_directory", "edit"]
    assert target.read_text() == "x\n"


# --- edit ----------------------------------------------------------------------------------------------------


async def test_edit_exact_unique(ctx, project: Path) -> None:
    (project / "m.py").write_text("def f():\n    return 1\n")
    await read(ctx, "m.py")
    result = await edit(ctx, file_path="m.py", old_string="return 1", new_string="return 2")
    assert (project / "m.py").read_text() == "def f():\n    return 2\n"
    assert result.metadata["additions"] == 1 and result.metadata["deletions"] == 1
    assert "-    return 1" in result.metadata["diff"]


async def test_edit_requires_read(ctx, project: Path) -> None:
    (project / "m.py").write_text("a\n")
    with pytest.raises(ToolError, match="must read"):
        await edit(ctx, file_path="m.py", old_string="a", new_string="b")


async def test_edit_non_unique(ctx, project: Path) -> None:
    (project / "m.py").write_text("x = 1\nx = 1\n")
    await read(ctx, "m.py")
    with pytest.raises(ToolError, match=r"found 2 times.*replace_all"):
        await edit(ctx, file_path="m.py", old_string="x = 1", new_string="x = 2")
    assert (project / "m.py").read_text() == "x = 1\nx = 1\n"
    result = await edit(ctx, file_path="m.py", old_string="x = 1", new_string="x = 2", replace_all=True)
    assert (project / "m.py").read_text() == "x = 2\nx = 2\n"
    assert result.metadata["replacements"] == 2


async def test_edit_absent_shows_nearest_candidate(ctx, project: Path) -> None:
    (project / "m.py").write_text("def alpha():\n    value = compute(1, 2)\n    return value\n")
    await read(ctx, "m.py")
    with pytest.raises(ToolError, match=r"not found(?s:.*)lines 2-2(?s:.*)value = compute\(1, 2\)"):
        await edit(ctx, file_path="m.py", old_string="value = compute(1, 3)", new_string="v")
    assert "compute(1, 2)" in (project / "m.py").read_text()


async def test_edit_absent_and_nothing_similar(ctx, project: Path) -> None:
    (project / "m.py").write_text("a = 1\n")
    await read(ctx, "m.py")
    with pytest.raises(ToolError, match="No similar text"):
        await edit(ctx, file_path="m.py", old_string="completely unrelated words here", new_string="v")


async def test_edit_tolerates_trailing_whitespace(ctx, project: Path) -> None:
    (project / "m.py").write_text("a = 1   \nb = 2\n")
    await read(ctx, "m.py")
    result = await edit(ctx, file_path="m.py", old_string="a = 1\nb = 2", new_string="a = 10\nb = 20")
    assert (project / "m.py").read_text() == "a = 10\nb = 20\n"
    assert "trailing whitespace" in result.output


async def test_edit_tolerates_indentation_and_reindents(ctx, project: Path) -> None:
    (project / "m.py").write_text("class A:\n    def f(self):\n        return 1\n")
    await read(ctx, "m.py")
    await edit(
        ctx, file_path="m.py",
        old_string="def f(self):\n    return 1", new_string="def f(self):\n    return 2",
    )
    assert (project / "m.py").read_text() == "class A:\n    def f(self):\n        return 2\n"


async def test_edit_keeps_crlf(ctx, project: Path) -> None:
    (project / "w.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    await read(ctx, "w.txt")
    await edit(ctx, file_path="w.txt", old_string="one\ntwo", new_string="1\n2")
    assert (project / "w.txt").read_bytes() == b"1\r\n2\r\nthree\r\n"


async def test_edit_file_changed_since_read(ctx, project: Path) -> None:
    path = project / "m.py"
    path.write_text("a = 1\n")
    await read(ctx, "m.py")
    path.write_text("a = 1\nb = 2\n")  # someone else
    with pytest.raises(ToolError, match="modified on disk"):
        await edit(ctx, file_path="m.py", old_string="a = 1", new_string="a = 3")
    assert path.read_text() == "a = 1\nb = 2\n"


async def test_edit_same_size_change_within_mtime_granularity_detected(ctx, project: Path) -> None:
    path = project / "m.py"
    path.write_text("a = 1\n")
    await read(ctx, "m.py")
    before = path.stat()
    path.write_text("a = 9\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    ctx.file_times.mark_changed(path)  # what the watcher does
    with pytest.raises(ToolError, match="modified on disk"):
        await edit(ctx, file_path="m.py", old_string="a = 9", new_string="a = 3")


async def test_own_write_then_watcher_event_is_not_an_outside_change(ctx, project: Path) -> None:
    path = project / "m.py"
    path.write_text("a = 1\n")
    await read(ctx, "m.py")
    await edit(ctx, file_path="m.py", old_string="a = 1", new_string="a = 2")
    ctx.file_times.mark_changed(path)  # the watcher reports our own write later
    await edit(ctx, file_path="m.py", old_string="a = 2", new_string="a = 3")
    assert path.read_text() == "a = 3\n"


async def test_edit_missing_file_and_directory(ctx, project: Path) -> None:
    (project / "main.py").write_text("")
    with pytest.raises(ToolError, match=r"File not found.*main.py"):
        await edit(ctx, file_path="mian.py", old_string="a", new_string="b")
    (project / "pkg").mkdir()
    with pytest.raises(ToolError, match="directory"):
        await edit(ctx, file_path="pkg", old_string="a", new_string="b")


async def test_edit_identical_strings_refused(ctx, project: Path) -> None:
    (project / "m.py").write_text("a\n")
    await read(ctx, "m.py")
    with pytest.raises(ToolError, match="identical"):
        await edit(ctx, file_path="m.py", old_string="a", new_string="a")


async def test_edit_empty_old_string_creates_file(ctx, project: Path) -> None:
    await edit(ctx, file_path="new.txt", old_string="", new_string="hello\n")
    assert (project / "new.txt").read_text() == "hello\n"


async def test_edit_binary_refused(ctx, project: Path) -> None:
    (project / "b.bin").write_bytes(b"\x00\x01abc")
    ctx.file_times.record_read(project / "b.bin")
    with pytest.raises(ToolError, match="binary"):
        await edit(ctx, file_path="b.bin", old_string="abc", new_string="x")


# --- multiedit -----------------------------------------------------------------------------------------------


async def test_multiedit_all_applied_in_order(ctx, project: Path) -> None:
    (project / "m.py").write_text("a = 1\nb = 2\n")
    await read(ctx, "m.py")
    result = await MultiEditTool().execute(
        MultiEditParams(file_path="m.py", edits=[
            {"old_string": "a = 1", "new_string": "a = 10"},
            {"old_string": "a = 10\nb = 2", "new_string": "a = 10\nb = 20"},
        ]),
        ctx,
    )
    assert (project / "m.py").read_text() == "a = 10\nb = 20\n"
    assert result.metadata["edits"] == 2


async def test_multiedit_one_failure_changes_nothing(ctx, project: Path, recorder) -> None:
    (project / "m.py").write_text("a = 1\nb = 2\n")
    await read(ctx, "m.py")
    with pytest.raises(ToolError, match=r"Edit 2 of 2 failed(?s:.*)unchanged"):
        await MultiEditTool().execute(
            MultiEditParams(file_path="m.py", edits=[
                {"old_string": "a = 1", "new_string": "a = 10"},
                {"old_string": "zzz", "new_string": "y"},
            ]),
            ctx,
        )
    assert (project / "m.py").read_text() == "a = 1\nb = 2\n"
    assert recorder.asked == []  # nothing to approve: the edits failed before the preview


async def test_edit_is_refused_when_the_file_changed_while_its_permission_was_asked(make_ctx, project) -> None:
    """Even when a concurrent read has refreshed the read-before-write record meanwhile, the edit is checked
    against the bytes it was computed from, so it never writes over a change it did not see."""
    from agent_tui.core.tools.base import PermissionRequest, ToolError
    from agent_tui.core.tools.edit import EditParams, EditTool
    from agent_tui.core.tools.read import ReadParams, ReadTool

    target = project / "race.txt"
    target.write_text("alpha\nbeta\n")

    async def ask(request: PermissionRequest) -> None:
        if request.permission == "edit":
            target.write_text("alpha\nBETA by someone else\n")
            await ReadTool().execute(ReadParams(file_path="race.txt"), ctx)  # a read of the same step

    ctx = make_ctx(ask=ask)
    await ReadTool().execute(ReadParams(file_path="race.txt"), ctx)
    with pytest.raises(ToolError, match="modified on disk while this edit was prepared"):
        await EditTool().execute(EditParams(file_path="race.txt", old_string="alpha", new_string="ALPHA"), ctx)
    assert target.read_text() == "alpha\nBETA by someone else\n"
