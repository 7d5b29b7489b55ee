"""Snapshots of the daily features (search, selection, `!command`, custom commands) at 80×24; the 120×40 ones run
with every scene in `test_snap_app.py`."""

from __future__ import annotations

import pytest

from tests.tui.scenes import SCENES
from tests.tui.scenes_features import FEATURE_SCENES

pytestmark = pytest.mark.usefixtures("scene_folder")  # tests/tui/conftest.py: a folder of each test's own


@pytest.mark.parametrize("name", FEATURE_SCENES)
def test_features_in_a_small_terminal(name: str, snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent_tui.tui.format.clock", lambda: 0.0)
    scene = SCENES[name]()
    assert snap_compare(scene.app, terminal_size=(80, 24), run_before=scene.settle)
