"""Whether a simple shell command only reads: what a read-only agent (`plan`) may run without asking.

The test is deliberately narrow: a known reading command, no output redirection into a file, and none of the
flags that make a reading command write (`find -delete`, `sed -i`, `sort -o`). Anything else is not read-only,
which means "ask", never "allow".
"""

from __future__ import annotations

import re

# Commands that never change anything whatever their arguments (apart from the flags checked below).
READING_COMMANDS = frozenset({
    "ls", "cat", "head", "tail", "less", "more", "wc", "grep", "egrep", "fgrep", "rg", "ag", "find", "fd",
    "tree", "pwd", "echo", "printf", "file", "stat", "du", "df", "which", "whereis", "type", "realpath",
    "dirname", "basename", "diff", "cmp", "sort", "uniq", "cut", "tr", "column", "nl", "od", "hexdump", "xxd",
    "strings", "date", "uname", "whoami", "id", "printenv", "true", "false", "test", "[", "jq",
    "md5sum", "sha1sum", "sha256sum", "cksum", "ps", "hostname", "readlink", "lsof", "man", "help",
})

# Subcommands of tools that mostly write, which only read.
READING_SUBCOMMANDS: dict[str, frozenset[str]] = {
    "git": frozenset({
        "status", "log", "diff", "show", "blame", "grep", "ls-files", "ls-tree", "rev-parse", "describe",
        "shortlog", "reflog", "cat-file", "whatchanged", "remote", "branch", "tag", "config", "help", "version",
    }),
    "cargo": frozenset({"tree", "metadata", "--version", "version"}),
    "npm": frozenset({"ls", "list", "view", "outdated", "--version", "-v"}),
    "pip": frozenset({"list", "show", "freeze", "--version"}),
    "python": frozenset({"--version", "-V"}),
    "python3": frozenset({"--version", "-V"}),
    "node": frozenset({"--version", "-v"}),
    "go": frozenset({"version", "env", "list", "doc"}),
}

# Arguments that turn a subcommand above into a writing one (`git branch -D x`, `git config --global k v`).
_WRITING_ARGS = re.compile(
    r"(^|\s)(-d|-D|-m|-M|--delete|--move|--set-upstream-to|--unset|--add|--global|--system|--replace-all|"
    r"add|rm|remove|rename|set-url|prune|expire|delete)(\s|$)"
)
# git subcommands that list when given only flags, and create or change something when given a name.
_LISTING_ONLY = frozenset({"branch", "tag", "remote"})
# Flags that make a reading command write or run something.
_WRITING_FLAGS = re.compile(
    r"(^|\s)(-delete|-exec|-execdir|-ok|-okdir|-fprint\S*|-fls|-i\S*|--in-place\S*|-o|--output\S*)(\s|$)"
)
# `>` or `>>` into anything but /dev/null or another descriptor (`2>&1`).
_REDIRECT = re.compile(r"(?<![<>&])\d*>>?\s*(?!&\d|/dev/null\b)\S")


def _unquoted(command: str) -> str:
    """The command with quoted strings blanked, so `grep '>' file` is not taken for a redirection."""
    return re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", "''", command)


def is_read_only(command: str) -> bool:
    """True when the simple command `command` (as split by `shell.split_commands`) only reads."""
    text = _unquoted(command.strip())
    if not text or _REDIRECT.search(text) or "`" in text or "$(" in text:
        return False
    words = text.split()
    program = words[0].rsplit("/", 1)[-1]
    rest = " ".join(words[1:])
    if program in READING_COMMANDS:
        return not _WRITING_FLAGS.search(rest) if program in ("find", "fd", "sort") else True
    allowed = READING_SUBCOMMANDS.get(program)
    if allowed is None or len(words) < 2:
        return False
    subcommand = next((w for w in words[1:] if not w.startswith("-") or w in allowed), "")
    if subcommand not in allowed:
        return False
    if program != "git":
        return True
    arguments = words[words.index(subcommand) + 1:]
    if _WRITING_ARGS.search(" ".join(arguments)):
        return False
    if subcommand in _LISTING_ONLY:  # `git branch NAME` creates a branch; only flags list
        return all(a.startswith("-") for a in arguments)
    if subcommand == "config":
        return any(a.startswith("--get") or a in ("--list", "-l") for a in arguments)
    return True
