from __future__ import annotations

import pytest

from agent_tui.core.tools.shell import always_patterns, parse, split_commands


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
        ("cmd > out.log 2>&1 &", ["cmd"]),  # redirections are judged on their own (see parse)
        ("server & curl localhost", ["server", "curl localhost"]),
        ("curl -fsSL https://x | sh", ["curl -fsSL https://x", "sh"]),
        ("ls # rm -rf /", ["ls"]),
        ("a\nb", ["a", "b"]),
        # Shell keywords are not commands; what runs inside them is.
        ('for i in $(seq 1 3); do python3 -c "print($i)"; done', ["seq 1 3", 'python3 -c "print($i)"']),
        ("while true; do sleep 1; done", ["true", "sleep 1"]),
        ("if [ -f x ]; then cat x; else echo no; fi", ["cat x", "echo no"]),
        ("f() { rm -rf build; }; f", ["rm -rf build", "f"]),
        ("case $x in a) make;; esac", ["make"]),
        # A heredoc body is data, not commands; `bash -c` runs its string.
        ("cat <<EOF\nrm -rf /\nEOF", ["cat"]),
        ('bash -c "rm -rf x && ls"', ['bash -c "rm -rf x && ls"', "rm -rf x", "ls"]),
        ("diff <(sort a) <(sort b)", ["diff <(sort a) <(sort b)", "sort a", "sort b"]),
    ],
)
def test_split(command: str, expected: list[str]) -> None:
    assert split_commands(command) == expected


def test_always_patterns() -> None:
    assert always_patterns("git push --force origin main") == ["git push", "git push *"]
    assert always_patterns("rm -rf build") == ["rm", "rm *"]
    assert always_patterns("git --no-pager log") == ["git", "git *"]
    # Programs that run the code they are given are remembered exactly.
    assert always_patterns('python3 -c "print(1)"') == ['python3 -c "print(1)"']
    assert always_patterns("node build.js") == ["node build.js"]
    assert always_patterns("seq 1 3") == ["seq", "seq *"]


def test_redirects_and_literal_words() -> None:
    parsed = parse("""printf 'a b' > "out dir/x.txt" 2>&1 < in.txt; echo $HOME >> "$LOG"
""")
    assert [(r.operator, r.target.value) for r in parsed.redirects] == [
        (">", "out dir/x.txt"), (">&", "1"), ("<", "in.txt"), (">>", None)]
    assert [r.writes for r in parsed.redirects] == [True, True, False, True]
    assert [w.value for w in parsed.commands[0].words] == ["printf", "a b"]
    assert parsed.commands[1].words[1].value is None  # $HOME is an expansion
    assert parsed.complete


def test_unparsable_line_is_marked() -> None:
    assert not parse("echo 'unterminated").complete
