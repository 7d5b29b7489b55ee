"""The permission policy of an agent: overrides on top of the config, and the read-only bash rule of `plan`."""

from __future__ import annotations

import pytest

from agent_tui.core.bus import Bus
from agent_tui.core.config import PermissionConfig
from agent_tui.core.permission import PermissionManager, Policy, merge_rules
from agent_tui.core.tools.base import PermissionRequest
from agent_tui.core.tools.shell_readonly import is_read_only


def bash(command: str) -> PermissionRequest:
    return PermissionRequest(permission="bash", title=command, patterns=[command], metadata={"command": command})


def mcp(tool: str, read_only: bool) -> PermissionRequest:
    return PermissionRequest(permission="mcp", title=tool, patterns=[tool], metadata={"read_only": read_only})


@pytest.mark.parametrize("command", [
    "ls -la", "cat README.md", "grep -rn 'a > b' src", "git status --short", "git log --oneline -5",
    "git diff HEAD~1", "find . -name '*.py'", "head -n 20 x.py", "wc -l *.py", "echo hi 2>&1", "ls >/dev/null",
    "git branch", "git branch -a", "git remote -v", "git config --get user.name", "git tag --list", "rg TODO",
    "sort names.txt",
])
def test_read_only_commands(command: str) -> None:
    assert is_read_only(command), command


@pytest.mark.parametrize("command", [
    "echo x > out.txt", "cat a >> b", "find . -delete", "find . -exec rm {} ;", "sort -o out in", "touch x",
    "python script.py", "git commit -m x", "git branch -D old", "git config --global user.name x", "npm install",
    "sed -i s/a/b/ f", "ls $(rm -rf x)", "ls `rm x`", "git push", "make", "git -C other log",
    "git branch new-feature", "git tag v1.0", "git config user.name x", "git remote add origin url",
])
def test_commands_that_are_not_read_only(command: str) -> None:
    assert not is_read_only(command), command


def test_read_only_policy_caps_the_config() -> None:
    pm = PermissionManager(Bus(), PermissionConfig(bash="allow", mcp="allow"))
    plan = Policy.for_agent(pm.config, PermissionConfig(edit="deny"), read_only=True, agent="plan")
    edit = PermissionRequest(permission="edit", title="x", patterns=["/p/x"])
    assert pm.evaluate(edit) == "allow" and pm.evaluate(edit, policy=plan) == "deny"
    assert pm.evaluate(bash("git log && ls"), policy=plan) == "allow"
    assert pm.evaluate(bash("git log && touch x"), policy=plan) == "ask"  # the user's "allow" is capped
    assert pm.evaluate(bash("rm -rf build"), policy=plan) == "deny"
    assert pm.evaluate(mcp("files_read", True), policy=plan) == "allow"
    assert pm.evaluate(mcp("files_write", False), policy=plan) == "ask"
    assert pm.evaluate(mcp("files_write", False)) == "allow"  # the same tool for build


def test_agent_rules_merge_over_the_config_pattern_by_pattern() -> None:
    merged = merge_rules(PermissionConfig(bash={"npm test": "allow", "rm *": "allow"}, webfetch="deny"),
                         PermissionConfig(bash={"rm *": "deny"}, edit="ask"))
    assert merged.bash == {"npm test": "allow", "rm *": "deny"}
    assert (merged.edit, merged.webfetch) == ("ask", "deny")


def test_mcp_rules_longest_pattern_wins_and_defaults_follow_the_hint() -> None:
    pm = PermissionManager(Bus(), PermissionConfig(mcp={"files_*": "ask", "files_read_text_file": "allow"}))
    assert pm.evaluate(mcp("files_read_text_file", False)) == "allow"
    assert pm.evaluate(mcp("files_list", True)) == "ask"  # the server rule beats the read-only default
    assert pm.evaluate(mcp("web_search", True)) == "allow"
    assert pm.evaluate(mcp("web_post", False)) == "ask"
