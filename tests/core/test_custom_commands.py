"""Custom slash commands from Markdown files: where they are found, front matter, arguments, bad files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.custom_commands import load_commands
from agent_tui.core.project import Project


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_project_and_global_commands_with_front_matter_and_arguments(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    sub = root / "pkg"
    sub.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    global_folder = paths.config_dir() / "commands"
    write(global_folder, "review.md", "---\ndescription: Review a file (global)\n---\nReview $ARGUMENTS carefully.\n")
    write(global_folder, "hello.md", "# Say hello\nSay hello.\n")
    write(root / ".agent-tui" / "commands", "review.md",
          "---\ndescription: Review for this project\nmodel: fake/big\n---\nReview $1 then $2.\n")
    write(sub / ".agent-tui" / "commands", "Tests.md", "Write tests for $ARGUMENTS")

    library = load_commands(Project.discover(sub))

    assert sorted(library.commands) == ["hello", "review", "tests"]
    review = library.get("review")
    assert review is not None and review.description == "Review for this project"  # the project wins
    assert review.model == "fake/big"
    assert review.expand('src/a.py "b c.py"') == "Review src/a.py then b c.py."
    hello = library.get("hello")
    assert hello is not None and hello.description == "Say hello"  # no front matter: the first line
    assert hello.expand("") == "# Say hello\nSay hello."
    assert hello.expand("in French") == "# Say hello\nSay hello.\n\nin French"  # never dropped
    assert library.get("TESTS") is not None and library.get("tests").expand("x.py") == "Write tests for x.py"
    assert library.problems == []


def test_bad_files_are_skipped_and_named(tmp_path: Path) -> None:
    folder = tmp_path / ".agent-tui" / "commands"
    write(folder, "empty.md", "---\ndescription: nothing\n---\n\n")
    write(folder, "broken.md", "---\ndescription: [unclosed\n---\nBody\n")
    write(folder, "list.md", "---\n- a\n- b\n---\nBody\n")
    write(folder, "help.md", "Shadowing a built-in")
    (folder / "latin1.md").write_bytes(b"caf\xe9")
    write(folder, "good.md", "Fine")

    library = load_commands(Project.discover(tmp_path), reserved={"help"})

    assert list(library.commands) == ["good"]
    reasons = "\n".join(library.problems)
    assert "empty.md: the file has no prompt text" in reasons
    assert "broken.md: front matter is not valid YAML" in reasons
    assert "list.md: front matter must be" in reasons
    assert "help.md: /help is a built-in command" in reasons
    assert "latin1.md" in reasons
