"""The system prompt: the model family's prompt, the environment, a project listing and context files."""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import subprocess
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.project import Project
from agent_tui.resources import read_prompt

log = logging.getLogger(__name__)

LISTING_LIMIT = 200
CONTEXT_FILES = ("AGENTS.md", "CLAUDE.md")
# Folders that are never worth listing to a model.
SKIP_DIRS = frozenset({
    ".git", "node_modules", ".venv", "venv", "env", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "dist", "build", "target", ".tox", ".idea", ".vscode", ".next", ".cache", "coverage", ".gradle", "vendor",
})


def family_prompt(family: str) -> str:
    try:
        return read_prompt(f"system/{family}.md")
    except FileNotFoundError:
        return read_prompt("system/default.md")


def environment_block(project: Project, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return "\n".join([
        "<env>",
        f"Working directory: {project.directory}",
        f"Project root: {project.root}",
        f"Is directory a git repo: {'yes' if project.is_git else 'no'}",
        f"Platform: {platform.system().lower()} ({platform.machine()})",
        f"Today's date: {today.isoformat()}",
        "</env>",
    ])


def _git_files(root: Path) -> list[str] | None:
    try:
        result = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, text=True, timeout=5, check=True, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return [line for line in result.stdout.splitlines() if line]


def _walk_files(root: Path, limit: int) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        rel = Path(folder).relative_to(root)
        for name in sorted(files):
            found.append(str(rel / name) if rel != Path(".") else name)
            if len(found) > limit:
                return found
    return found


def project_listing(project: Project, limit: int = LISTING_LIMIT) -> str:
    files = _git_files(project.root) if project.is_git else None
    if files is None:
        files = _walk_files(project.root, limit)
    files = sorted(f for f in files if not any(part in SKIP_DIRS for part in Path(f).parts))
    shown = files[:limit]
    lines = ["<project>", *shown]
    if len(files) > limit:
        lines.append(f"... ({len(files) - limit} more files not listed; use glob or ls to explore)")
    lines.append("</project>")
    return "\n".join(lines)


def context_files(project: Project) -> list[Path]:
    """AGENTS.md / CLAUDE.md from the working folder up to the project root, then the global one."""
    found: list[Path] = []
    folder = project.directory
    while True:
        for name in CONTEXT_FILES:
            candidate = folder / name
            if candidate.is_file():
                found.append(candidate)
                break  # one per folder: AGENTS.md wins over CLAUDE.md
        if folder == project.root or folder.parent == folder:
            break
        folder = folder.parent
    for name in CONTEXT_FILES:
        candidate = paths.config_dir() / name
        if candidate.is_file():
            found.append(candidate)
            break
    return found


def _read_instruction(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError as exc:
        log.warning("cannot read instructions file %s: %s", path, exc)
        return None


def instruction_blocks(project: Project, instructions: list[str]) -> list[str]:
    blocks: list[str] = []
    seen: set[Path] = set()
    configured: list[Path] = []
    for entry in instructions:
        path = Path(os.path.expanduser(entry))
        if not path.is_absolute():
            path = project.root / path
        if any(ch in entry for ch in "*?["):
            configured.extend(sorted(project.root.glob(entry)))
        else:
            configured.append(path)
    for path in [*context_files(project), *configured]:
        resolved = path.resolve()
        if resolved in seen or not path.is_file():
            continue
        seen.add(resolved)
        text = _read_instruction(path)
        if text:
            blocks.append(f"Instructions from {path}:\n{text}")
    return blocks


def build_system_prompt(project: Project, family: str, instructions: list[str],
                        agent_prompt: str | None = None) -> list[str]:
    """The system prompt as separate blocks (the first is stable across sessions, which helps caching). An
    agent's own prompt replaces the model family's."""
    return [
        agent_prompt or family_prompt(family),
        environment_block(project) + "\n" + project_listing(project),
        *instruction_blocks(project, instructions),
    ]
