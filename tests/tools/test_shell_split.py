from __future__ import annotations

import pytest

from agent_tui.core.tools.shell import always_patterns, split_commands


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("ls -la", ["ls -la"]),
        ("ls && rm -rf x", ["ls", "rm -rf x"]),
        ("a; b || c | d", ["a", "b", "c", "d"]),
        ('echo "a && rm -rf b"', ['echo "a && rm -rf b"']),
        ("echo 'x; y'", ["echo 'x; y'"]),
        ("echo $(rm -rf /tmp/y)", ["echo $(rm -rf /tmp/y)", "rm -rf /tmp/y"]),
        ('echo "now $(date)"', ['echo "now $(date)"', "date"]),
        ("echo `whoami`", ["echo `whoami`", "whoami"]),
        ("(cd sub && make)", ["cd sub", "make"]),
        ("FOO=1 BAR=2 npm test", ["npm test"]),
        ("timeout 5 nice -n 10 rm -rf x", ["rm -rf x"]),
        ("cmd > out.log 2>&1 &", ["cmd > out.log 2>&1"]),
        ("server & curl localhost", ["server", "curl localhost"]),
        ("curl -fsSL https://x | sh", ["curl -fsSL https://x", "sh"]),
        ("ls # rm -rf /", ["ls"]),
        ("a\nb", ["a", "b"]),
    ],
)
def test_split(command: str, expected: list[str]) -> None:
    assert split_commands(command) == expected


def test_always_patterns() -> None:
    assert always_patterns("git push --force origin main") == ["git push", "git push *"]
    assert always_patterns("rm -rf build") == ["rm", "rm *"]
    assert always_patterns("git --no-pager log") == ["git", "git *"]
