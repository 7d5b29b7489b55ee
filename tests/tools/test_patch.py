from __future__ import annotations

from pathlib import Path

import pytest

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.patch import PatchParams, PatchTool


async def patch(ctx, text: str):
    return await PatchTool().execute(PatchParams(patch_text=text), ctx)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


async def test_add_update_delete_move(ctx, project: Path, recorder) -> None:
    (project / "app.py").write_text("import os\n\ndef main():\n    print('old')\n    return 0\n")
    (project / "gone.txt").write_text("bye\n")
    (project / "old_name.py").write_text("x = 1\n")
    result = await patch(ctx, """*** Begin Patch
*** Add File: pkg/new.py
+def hello():
+    return "hi"
*** Update File: app.py
@@ def main():
-    print('old')
+    print('new')
     return 0
*** Delete File: gone.txt
*** Update File: old_name.py
*** Move to: new_name.py
@@
-x = 1
+x = 2
*** End Patch""")
    assert (project / "pkg/new.py").read_text() == 'def hello():\n    return "hi"\n'
    assert (project / "app.py").read_text() == "import os\n\ndef main():\n    print('new')\n    return 0\n"
    assert not (project / "gone.txt").exists()
    assert not (project / "old_name.py").exists() and (project / "new_name.py").read_text() == "x = 2\n"
    assert [f["action"] for f in result.metadata["files"]] == ["add", "update", "delete", "move"]
    assert recorder.permissions() == ["edit"]
    assert "+    print('new')" in recorder.asked[0].metadata["diff"]


async def test_hunk_that_does_not_apply_touches_nothing(ctx, project: Path) -> None:
    (project / "a.py").write_text("a = 1\n")
    (project / "b.py").write_text("b = 1\n")
    before = snapshot(project)
    with pytest.raises(ToolError) as info:
        await patch(ctx, """*** Begin Patch
*** Update File: a.py
-a = 1
+a = 2
*** Add File: c.py
+c = 1
*** Update File: b.py
@@
-b = 999
+b = 2
*** End Patch""")
    message = str(info.value)
    assert "no file was changed" in message
    assert "b.py, hunk 1" in message and "b = 999" in message
    assert snapshot(project) == before


async def test_add_existing_and_delete_missing_are_reported(ctx, project: Path) -> None:
    (project / "exists.py").write_text("x\n")
    with pytest.raises(ToolError) as info:
        await patch(ctx, "*** Begin Patch\n*** Add File: exists.py\n+y\n*** Delete File: missing.py\n*** End Patch")
    assert "already exists" in str(info.value) and "missing.py" in str(info.value)
    assert (project / "exists.py").read_text() == "x\n"


async def test_malformed_patch(ctx) -> None:
    with pytest.raises(ToolError, match="must start with"):
        await patch(ctx, "--- a/x\n+++ b/x\n")
    with pytest.raises(ToolError, match="must end with"):
        await patch(ctx, "*** Begin Patch\n*** Add File: x\n+y\n")
    with pytest.raises(ToolError, match="starts with '\\+'"):
        await patch(ctx, "*** Begin Patch\n*** Add File: x\ny\n*** End Patch")


async def test_tolerant_context_and_crlf(ctx, project: Path) -> None:
    (project / "w.txt").write_bytes(b"alpha  \r\nbeta\r\ngamma\r\n")
    await patch(ctx, "*** Begin Patch\n*** Update File: w.txt\n alpha\n-beta\n+BETA\n*** End Patch")
    assert (project / "w.txt").read_bytes() == b"alpha  \r\nBETA\r\ngamma\r\n"


async def test_end_of_file_hunk(ctx, project: Path) -> None:
    (project / "f.txt").write_text("x\ny\nx\n")
    await patch(ctx, "*** Begin Patch\n*** Update File: f.txt\n@@\n-x\n+z\n*** End of File\n*** End Patch")
    assert (project / "f.txt").read_text() == "x\ny\nz\n"


async def test_patch_outside_project_asks(ctx, recorder, tmp_path: Path) -> None:
    outside = tmp_path / "other.txt"
    recorder.reject.add("external_directory")
    with pytest.raises(ToolError, match="refused"):
        await patch(ctx, f"*** Begin Patch\n*** Add File: {outside}\n+x\n*** End Patch")
    assert not outside.exists()


async def test_stale_read_refused(ctx, project: Path) -> None:
    path = project / "a.py"
    path.write_text("a = 1\n")
    ctx.file_times.record_read(path)
    path.write_text("a = 1\nb = 2\n")
    with pytest.raises(ToolError, match="changed on disk"):
        await patch(ctx, "*** Begin Patch\n*** Update File: a.py\n-a = 1\n+a = 2\n*** End Patch")
    assert path.read_text() == "a = 1\nb = 2\n"
