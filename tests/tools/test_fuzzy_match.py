from __future__ import annotations

import pytest

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.fuzzy_match import replace

FILE = (
    "import os\n\nclass A:\n    def f(self):\n        x  =  1\n        return x\n\n    def g(self):\n        return 2\n"
)


def test_exact() -> None:
    result = replace(FILE, "return 2", "return 3")
    assert result.strategy == "exact" and result.content == FILE.replace("return 2", "return 3")


def test_whitespace_runs_and_reindent_in_the_middle_of_a_file() -> None:
    result = replace(FILE, "def f(self):\n    x = 1\n    return x\n", "def f(self):\n    return 1\n")
    assert result.strategy == "ignoring whitespace differences"
    assert result.content == FILE.replace("    def f(self):\n        x  =  1\n        return x\n",
                                          "    def f(self):\n        return 1\n")


def test_ambiguous_tolerant_match_names_lines() -> None:
    text = "if a:\n    go()\nif b:\n  go()\n"
    with pytest.raises(ToolError, match=r"matches 2 places.*lines 2, 4"):
        replace(text, "\tgo()", "stop()")
    assert replace(text, "\tgo()", "stop()", replace_all=True).content == "if a:\n    stop()\nif b:\n  stop()\n"


def test_empty_old_string_refused() -> None:
    with pytest.raises(ToolError, match="empty"):
        replace(FILE, "", "x")
