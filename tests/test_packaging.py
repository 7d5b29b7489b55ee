"""The wheel: `styles/` and `prompts/` are packed inside it, and an installed copy finds them.

Builds a real wheel with hatchling (no network, no new venv) and unpacks it the way an installer lays out a pure
Python wheel, then imports from that layout in a separate interpreter.
"""

from __future__ import annotations

import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import agent_tui

REPO = Path(__file__).resolve().parent.parent

pytest.importorskip("hatchling", reason="building the wheel needs hatchling (part of the test extra)")
requirements = pytest.importorskip("packaging.requirements")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [built] = out.glob("agent_tui-*.whl")
    return built


def shipped_files(folder: str) -> dict[str, bytes]:
    root = REPO / folder
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_wheel_contains_every_style_and_prompt_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for folder in ("prompts", "styles"):
            expected = shipped_files(folder)
            assert expected, f"{folder}/ is empty: nothing to check"
            for relative, content in expected.items():
                packed = f"agent_tui/_data/{folder}/{relative}"
                assert packed in names, f"{packed} missing from the wheel"
                assert archive.read(packed) == content
    assert "agent_tui/cli.py" in names and "agent_tui/core/storage.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("tests/")]


def test_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(info))
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert metadata["Name"] == "agent-tui"
    assert metadata["Version"] == agent_tui.__version__
    assert "agent-tui = agent_tui.cli:main" in entry_points
    needs = {r.name: r for r in map(requirements.Requirement, metadata.get_all("Requires-Dist"))}
    assert str(needs["textual"].specifier) == "==8.2.8"
    assert not needs["litellm"].specifier.contains("1.107.0")  # the compromised release
    assert {"pydantic", "mcp", "watchfiles"} <= set(needs)
    test_extra = {r.name for r in needs.values() if r.marker and "test" in str(r.marker)}
    assert {"pytest", "pytest-asyncio", "pytest-textual-snapshot"} <= test_extra


def test_installed_layout_finds_its_data(wheel: Path, tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # a pure-Python wheel installs by unpacking into site-packages
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    env = dict(subprocess_env, PYTHONPATH=str(site))  # the installed copy only, not this checkout
    code = (
        "import agent_tui, agent_tui.resources as r; "
        "print(agent_tui.__file__); print(r.data_dir('prompts')); print(r.data_dir('styles')); "
        "print(r.read_prompt('title.md')[:40])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    module_file, prompts, styles, title = done.stdout.splitlines()
    assert Path(module_file).is_relative_to(site)
    assert Path(prompts) == site / "agent_tui" / "_data" / "prompts"
    assert Path(styles) == site / "agent_tui" / "_data" / "styles"
    assert title == (REPO / "prompts" / "title.md").read_text(encoding="utf-8").strip()[:40]

    version = subprocess.run(
        [sys.executable, "-m", "agent_tui.cli", "--version"], cwd=elsewhere, capture_output=True, text=True, env=env
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"agent-tui {agent_tui.__version__}"


def test_checkout_layout_finds_the_top_level_folders() -> None:
    from agent_tui.resources import data_dir

    if (Path(agent_tui.__file__).parent / "_data").is_dir():
        pytest.skip("running from an installed copy, not the checkout")
    assert data_dir("prompts") == REPO / "prompts"
    assert data_dir("styles") == REPO / "styles"


def readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in section.split("```sh")[1:] for block in [block.split("```", 1)[0]]]


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    start, test = commands
    assert "pip install ." in start and start.endswith("/agent-tui")
    assert "pip install '.[test]'" in test and test.endswith("-m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert f"#   {test}\n" in ci  # the README command it mirrors, with the venv moved to a temp folder
    assert "\"$VENV/bin/pip\" install --quiet --progress-bar off '.[test]'" in ci
    assert '"$VENV/bin/python" -m pytest ||' in ci
    assert (REPO / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"
