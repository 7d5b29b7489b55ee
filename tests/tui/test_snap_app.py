"""Snapshot tests of the key screens at 120×40 with a fixed clock, folders and records (see `scenes.py`).

Update after a deliberate change with `pytest tests/tui/test_snap_app.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

from __future__ import annotations

import pytest

from tests.tui.scenes import SCENES, SIZE

pytestmark = pytest.mark.usefixtures("scene_folder")  # tests/tui/conftest.py: a folder of each test's own


@pytest.mark.parametrize("name", list(SCENES))
def test_key_screens(name: str, snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent_tui.tui.format.clock", lambda: 0.0)  # replaced by the scene; restored after
    scene = SCENES[name]()
    assert snap_compare(scene.app, terminal_size=SIZE, run_before=scene.settle)


def test_plan_agent_in_a_small_terminal(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent_tui.tui.format.clock", lambda: 0.0)
    scene = SCENES["plan_agent"]()
    assert snap_compare(scene.app, terminal_size=(80, 24), run_before=scene.run_before)


def test_undone_turn_in_a_small_terminal(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent_tui.tui.format.clock", lambda: 0.0)
    scene = SCENES["undone_turn"]()
    scene.press = ("ctrl+b",)  # the sidebar hidden: the log takes the width, drawn before the picture
    assert snap_compare(scene.app, terminal_size=(80, 24), run_before=scene.settle)


def test_bash_permission_in_a_small_terminal(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent_tui.tui.format.clock", lambda: 0.0)
    scene = SCENES["bash_permission"]()
    assert snap_compare(scene.app, terminal_size=(80, 24), run_before=scene.run_before)


def test_long_paste_in_a_small_terminal(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent_tui.tui.format.clock", lambda: 0.0)
    scene = SCENES["long_paste"]()
    assert snap_compare(scene.app, terminal_size=(80, 24), run_before=scene.run_before)
