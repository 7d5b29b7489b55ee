from __future__ import annotations

from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.tools.read import ReadParams, ReadTool
from agent_tui.core.tools.truncate import MAX_BYTES, truncate_for_model


def test_small_output_untouched() -> None:
    text, meta = truncate_for_model("a\nb\n", session_id="ses_1", call_id="c1")
    assert text == "a\nb\n" and meta == {"truncated": False}


def test_too_many_lines_keeps_head_and_saves_all() -> None:
    output = "".join(f"line {i}\n" for i in range(1, 5001))
    text, meta = truncate_for_model(output, session_id="ses_1", call_id="call/../x")
    assert meta["truncated"] is True and meta["total_lines"] == 5000
    saved = Path(meta["output_path"])
    assert saved.parent == paths.tool_output_dir()  # the call id cannot escape the folder
    assert saved.read_text() == output
    assert text.startswith("line 1\nline 2\n")
    assert "line 2000\n" in text and "line 2001\n" not in text
    assert str(saved) in text and "offset=2001" in text


def test_too_many_bytes() -> None:
    output = ("x" * 1000 + "\n") * 200  # 200 KB in 200 lines
    text, meta = truncate_for_model(output, session_id="s", call_id="c")
    assert meta["truncated"] is True
    assert len(text.encode()) < MAX_BYTES + 1000


def test_single_huge_line() -> None:
    text, meta = truncate_for_model("y" * 500_000, session_id="s", call_id="c")
    assert meta["truncated"] is True and len(text) < MAX_BYTES


async def test_saved_output_readable_without_asking(ctx, recorder) -> None:
    output = "".join(f"row {i}\n" for i in range(3000))
    _, meta = truncate_for_model(output, session_id="ses_test", call_id="c9")
    result = await ReadTool().execute(ReadParams(file_path=meta["output_path"], offset=2001, limit=2), ctx)
    assert "row 2000" in result.output and recorder.asked == []


def test_saved_outputs_older_than_a_week_are_removed():
    import os
    import time

    from agent_tui.core import paths
    from agent_tui.core.tools.truncate import remove_old_saved_outputs

    folder = paths.tool_output_dir()
    folder.mkdir(parents=True)
    old, fresh = folder / "old.txt", folder / "fresh.txt"
    old.write_text("x")
    fresh.write_text("y")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    remove_old_saved_outputs()
    assert not old.exists() and fresh.exists()
