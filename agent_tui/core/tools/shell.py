"""What a shell command line runs, read with a real bash parser (tree-sitter and its bash grammar), for the
permission checks of the bash tool.

`parse(line)` finds every simple command the line runs — in lists and pipelines, in `for`/`while`/`if` bodies,
subshells, `$(…)`, backticks and process substitutions, and inside `bash -c "…"` — but never a shell keyword
(`for`, `do`, `done`), a comment or a heredoc body. Each command comes with its words (and their literal value
when the word has no expansion in it), and every file redirection with its target, so that the tool can judge
what the command reads and writes. A line the grammar cannot fully read is marked `complete=False`; the
checks then err towards asking.

The parser loads on first use (about 70 ms), never at start-up.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Words that run the rest of the line as a command; the rest is what a rule should judge.
_WRAPPERS = {"command", "builtin", "exec", "nohup", "time", "nice", "ionice", "stdbuf", "timeout", "xargs", "env"}
# Programs whose second word names the action (`git push`, `npm install`): "always" remembers both words.
_TWO_WORD_PROGRAMS = {
    "git", "npm", "pnpm", "yarn", "bun", "docker", "podman", "cargo", "go", "pip", "pip3", "uv", "poetry",
    "kubectl", "helm", "gh", "brew", "apt", "apt-get", "dnf", "systemctl", "terraform", "dotnet", "mvn", "gradle",
}
# Programs that run code given on their command line or in a script: "always" for one of them is remembered
# for that exact command only (`python3 -c "…"` must not allow every `python3 …`).
_CODE_RUNNERS = re.compile(
    r"^(python[0-9.]*|pypy[0-9.]*|node|nodejs|deno|ruby|perl|php|lua(jit)?|Rscript|bash|sh|zsh|dash|ksh|fish|"
    r"pwsh|powershell|osascript|awk|gawk|mawk|eval|source|\.)$"
)
_SHELLS = {"bash", "sh", "zsh", "dash", "ksh"}
_WRITE_OPERATORS = {">", ">>", "&>", "&>>", ">|", ">&", "&>|"}
_MAX_DEPTH = 4  # `bash -c` inside `bash -c` …


@dataclass
class Word:
    text: str  # as written
    value: str | None  # the literal value, or None when it depends on an expansion


@dataclass
class SimpleCommand:
    words: list[Word]  # program and arguments, wrappers and VAR=value prefixes removed

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Redirect:
    operator: str
    target: Word

    @property
    def writes(self) -> bool:
        return self.operator in _WRITE_OPERATORS


@dataclass
class ParsedCommand:
    commands: list[SimpleCommand] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    complete: bool = True  # False when part of the line could not be parsed


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def _text(node: Any) -> str:
    return node.text.decode("utf-8", errors="replace")


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def literal(node: Any) -> str | None:
    """The value of a word node when it has no expansion in it (quotes removed, escapes applied)."""
    kind = node.type
    if kind in ("word", "number"):
        return _ESCAPE.sub(r"\1", _text(node))
    if kind == "raw_string":
        return _text(node)[1:-1]
    if kind == "ansi_c_string":
        return None
    if kind == "string":
        pieces = []
        for child in node.children:
            if child.type == '"':
                continue
            if child.type != "string_content":
                return None
            pieces.append(re.sub(r'\\([$`"\\\n])', r"\1", _text(child)))
        return "".join(pieces)
    if kind == "concatenation":
        values = [literal(child) for child in node.children]
        return None if any(v is None for v in values) else "".join(v for v in values if v is not None)
    return None


def _strip_wrappers(words: list[Word]) -> list[Word]:
    i = 0
    while i < len(words):
        value = words[i].value
        if value is not None and _ASSIGNMENT.match(value):
            i += 1
        elif value in _WRAPPERS:
            i += 1
            while i < len(words) and (
                (words[i].value or "").startswith("-")
                or (words[i].value or "").replace(".", "").isdigit()
                or _ASSIGNMENT.match(words[i].value or "")
            ):
                i += 1
        else:
            break
    return words[i:]


@lru_cache(maxsize=256)
def parse(line: str) -> ParsedCommand:
    """The commands and redirections of `line` (cached: the permission check and the tool both ask; treat the
    result as read-only)."""
    return _parse(line, 0)


def _parse(line: str, depth: int) -> ParsedCommand:
    result = ParsedCommand()
    tree = _parser().parse(line.encode("utf-8", errors="surrogateescape"))
    result.complete = not tree.root_node.has_error
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "command":
            _add_command(node, result, depth)
        elif node.type == "file_redirect":
            target = node.child_by_field_name("destination") or (node.children[-1] if node.children else None)
            operator = next((_text(c) for c in node.children if c.type in _REDIRECT_OPERATORS), "")
            if target is not None and target.type not in _REDIRECT_OPERATORS:
                result.redirects.append(Redirect(operator, Word(_text(target), literal(target))))
        elif node.type in ("comment", "heredoc_body"):
            continue
        stack.extend(reversed(node.children))  # depth first, in source order
    return result


_REDIRECT_OPERATORS = {">", ">>", "<", "&>", "&>>", ">|", ">&", "<&", "&>|", "<>", "<&-", ">&-"}


def _add_command(node: Any, result: ParsedCommand, depth: int) -> None:
    words: list[Word] = []
    for child in node.children:
        if child.type in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
            continue
        if child.type == "variable_assignment":
            continue
        target = child.children[0] if child.type == "command_name" and child.children else child
        words.append(Word(_text(target), literal(target)))
    words = _strip_wrappers(words)
    if not words:
        return
    result.commands.append(SimpleCommand(words))
    # `bash -c "…"`: the string is a command line of its own.
    program = os.path.basename(words[0].value or "")
    if program in _SHELLS and depth < _MAX_DEPTH:
        values = [w.value for w in words]
        if "-c" in values:
            index = values.index("-c") + 1
            if index < len(words) and words[index].value:
                inner = _parse(words[index].value or "", depth + 1)
                result.commands += inner.commands
                result.redirects += inner.redirects
                result.complete = result.complete and inner.complete


def bash_subjects(command: str) -> list[str]:
    """What the bash rules judge: each simple command, and the whole line too when it did not fully parse."""
    subjects = split_commands(command)
    whole = command.strip()
    if (not parse(command).complete or not subjects) and whole and whole not in subjects:
        subjects.append(whole)
    return subjects


def split_commands(command: str) -> list[str]:
    """The simple commands in `command` as text (wrappers and VAR=value prefixes removed), each once."""
    out: list[str] = []
    for simple in parse(command).commands:
        if simple.text not in out:
            out.append(simple.text)
    return out


def always_patterns(segment: str) -> list[str]:
    """What answering "always" to `segment` should allow: its program (and sub-command) with any arguments, or
    the exact command for programs that run code given to them."""
    try:
        words = shlex.split(segment)
    except ValueError:
        words = segment.split()
    if not words:
        return []
    program = os.path.basename(words[0])
    if _CODE_RUNNERS.match(program):
        return [segment]
    prefix = words[0]
    if program in _TWO_WORD_PROGRAMS and len(words) > 1 and not words[1].startswith("-"):
        prefix = f"{prefix} {words[1]}"
    return [prefix, f"{prefix} *"]
