"""Split a shell command line into the simple commands it runs, for permission checks.

`a && rm -rf x`, `a; b | c`, `echo $(rm x)` and `(cd y && z)` each run several commands; a rule must see every
one of them. Quotes are respected, so `echo "a && b"` is one command. This is a scanner, not a shell: it errs
towards finding more commands (a heredoc body may be read as commands), never fewer.
"""

from __future__ import annotations

import os
import re
import shlex

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SPACES = re.compile(r"\s+")
# Words that run the rest of the line as a command; the rest is what a rule should judge.
_WRAPPERS = {"command", "builtin", "exec", "nohup", "time", "nice", "ionice", "stdbuf", "timeout", "xargs", "env"}
# Programs whose second word names the action (`git push`, `npm install`): "always" remembers both words.
_TWO_WORD_PROGRAMS = {
    "git", "npm", "pnpm", "yarn", "bun", "docker", "podman", "cargo", "go", "pip", "pip3", "uv", "poetry",
    "kubectl", "helm", "gh", "brew", "apt", "apt-get", "dnf", "systemctl", "terraform", "dotnet", "mvn", "gradle",
}


def split_commands(command: str) -> list[str]:
    """The simple commands in `command`, normalised (wrappers and VAR=value prefixes removed, spaces collapsed)."""
    raw, _ = _scan(command, 0, None)
    out: list[str] = []
    for segment in raw:
        normalized = normalize(segment)
        if normalized and normalized not in out:
            out.append(normalized)
    return out


def normalize(segment: str) -> str:
    text = _SPACES.sub(" ", segment).strip()
    text = text.lstrip("!({ ").strip()
    # A closing `)` or `}` left over from a subshell or group, but not the end of `$(…)` or `${…}`.
    while text and text[-1] in ")}" and text.count(text[-1]) > text.count("(" if text[-1] == ")" else "{"):
        text = text[:-1].rstrip()
    words = text.split(" ")
    # Drop `VAR=value` prefixes and wrapper commands (with their flags and numeric arguments).
    i = 0
    while i < len(words):
        word = words[i]
        if _ASSIGNMENT.match(word):
            i += 1
        elif word in _WRAPPERS:
            i += 1
            while i < len(words) and (words[i].startswith("-") or words[i].replace(".", "").isdigit()
                                      or _ASSIGNMENT.match(words[i])):
                i += 1
        else:
            break
    return " ".join(words[i:]).strip()


def always_patterns(segment: str) -> list[str]:
    """What answering "always" to `segment` should allow: its program (and sub-command) with any arguments."""
    try:
        words = shlex.split(segment)
    except ValueError:
        words = segment.split()
    if not words:
        return []
    prefix = words[0]
    if os.path.basename(prefix) in _TWO_WORD_PROGRAMS and len(words) > 1 and not words[1].startswith("-"):
        prefix = f"{prefix} {words[1]}"
    return [prefix, f"{prefix} *"]


def _scan(s: str, i: int, closing: str | None) -> tuple[list[str], int]:
    """Scan from `i` until `closing` (or the end); return the commands found and the index after `closing`."""
    segments: list[str] = []
    nested: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "".join(current).strip()
        if text:
            segments.append(text)
        current.clear()

    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            current.append(s[i : i + 2])
            i += 2
        elif c == "'":
            end = s.find("'", i + 1)
            end = n - 1 if end == -1 else end
            current.append(s[i : end + 1])
            i = end + 1
        elif c == '"':
            start = i
            i += 1
            while i < n and s[i] != '"':
                if s[i] == "\\":
                    i += 2
                elif s.startswith("$(", i) and not s.startswith("$((", i):
                    inner, i = _scan(s, i + 2, ")")
                    nested += inner
                elif s[i] == "`":
                    end = s.find("`", i + 1)
                    end = n if end == -1 else end
                    nested += _scan(s[i + 1 : end], 0, None)[0]
                    i = end + 1
                else:
                    i += 1
            current.append(s[start : i + 1])
            i += 1
        elif closing is not None and c == closing:
            flush()
            return segments + nested, i + 1
        elif s.startswith("$((", i):
            end = s.find("))", i + 3)
            end = n if end == -1 else end + 2
            current.append(s[i:end])
            i = end
        elif s.startswith(("$(", "<(", ">("), i):
            start = i
            inner, i = _scan(s, i + 2, ")")
            nested += inner
            current.append(s[start:i])
        elif c == "`":
            end = s.find("`", i + 1)
            end = n if end == -1 else end
            nested += _scan(s[i + 1 : end], 0, None)[0]
            current.append(s[i : end + 1])
            i = end + 1
        elif c == "(" and not "".join(current).strip():
            inner, i = _scan(s, i + 1, ")")  # a subshell: its commands count as ours
            nested += inner
        elif c == "#" and (not current or current[-1][-1:].isspace()):
            end = s.find("\n", i)
            i = n if end == -1 else end  # a comment runs to the end of the line
        elif c in ";\n":
            flush()
            i += 1
        elif c == "&":
            if s.startswith("&&", i):
                flush()
                i += 2
            elif s.startswith("&>", i) or (current and current[-1].endswith((">", "<"))):
                current.append(c)  # a redirection (`&>f`, `2>&1`), not a separator
                i += 1
            else:
                flush()  # `cmd &` runs in the background: the next command is separate
                i += 1
        elif c == "|":
            if current and current[-1].endswith(">"):
                current.append(c)  # `>|` clobbering redirection
                i += 1
            else:
                flush()
                i += 2 if s.startswith(("||", "|&"), i) else 1
        else:
            current.append(c)
            i += 1
    flush()
    return segments + nested, i
