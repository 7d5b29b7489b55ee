from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_tui.core.tools.base import FileTimes, ToolError


def test_unread_file_is_not_fresh(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_text("x")
    with pytest.raises(ToolError, match="must read"):
        FileTimes().assert_fresh(path)


def test_touch_without_content_change_stays_fresh(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_text("x")
    times = FileTimes()
    times.record_read(path)
    os.utime(path, (1, 1))
    times.mark_changed(path)
    times.assert_fresh(path)


def test_content_change_detected_and_deleted_file(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_text("x")
    times = FileTimes()
    times.record_read(path)
    path.write_text("yy")
    with pytest.raises(ToolError, match="modified on disk"):
        times.assert_fresh(path)
    times.record_read(path)
    times.assert_fresh(path)
    path.unlink()
    with pytest.raises(ToolError, match="deleted"):
        times.assert_fresh(path)


def test_last_read_still_a_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_text("x")
    times = FileTimes()
    times.record_read(path)
    assert times.last_read(path) == pytest.approx(path.stat().st_mtime)
