"""Permission checks: config rules, "always" grants per session, and the ask/reply round trip with the user.

Defaults: reads are never asked; `edit` and `bash` are allowed inside the project, except destructive commands
(recursive or forced `rm`, force-pushes, `git reset --hard`, `sudo`, `mkfs`, `dd`, piping into a shell, …)
which ask; `external_directory` (any path outside the project) asks; `webfetch` is allowed (it only reads).
MCP tools (permission "mcp", judged by the tool's name as the model sees it, `SERVER_TOOL`) are allowed when
the server marks them read-only (`readOnlyHint`) and ask otherwise, unless `permission.mcp` says more.
Unknown permissions ask.

Each agent runs under a `Policy`: the config's rules with the agent's overrides on top. A read-only agent
(`plan`) allows only bash commands that only read; others ask at least, destructive ones are denied.

`bash` rules are wildcard patterns on each simple command of a line, as tree-sitter's bash grammar reads it
(`a && rm -rf x` is judged as `a` and `rm -rf x`, `for …; do x; done` as `x`; the strictest answer wins; see
`tools/shell.py`). What a command writes by redirection is asked as an `edit`, and the paths it names outside the
project as `external_directory`, by the bash tool itself (`tools/bash_paths.py`). Among the user's patterns the
longest match wins; a user pattern other than `"*"` beats the built-in destructive list, while a user `"*"` only
replaces the built-in fallback, so `{"*": "allow"}` keeps destructive commands asking. `"bash": "allow"` (a
single action) applies to all.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from agent_tui.core import ids
from agent_tui.core.bus import Bus
from agent_tui.core.config import Action, PermissionConfig
from agent_tui.core.events import PermissionAsked, PermissionReplied
from agent_tui.core.tools.base import PermissionRejected, PermissionRequest
from agent_tui.core.tools.shell import always_patterns, bash_subjects
from agent_tui.core.tools.shell_readonly import is_read_only

log = logging.getLogger(__name__)

Mode = Literal["interactive", "approve", "reject"]
Reply = Literal["once", "always", "reject"]

_SEVERITY: dict[str, int] = {"allow": 0, "ask": 1, "deny": 2}

DEFAULT_ACTIONS: dict[str, Action] = {"edit": "allow", "webfetch": "allow", "external_directory": "ask"}

# Commands that destroy work or reach beyond the project: asked even when bash is otherwise allowed.
DESTRUCTIVE_BASH: tuple[str, ...] = (
    "rm -*r*", "rm -*R*", "rm -*f*", "rm --recursive*", "rm --force*", "rm * -*",
    "sudo", "sudo *", "doas *", "su", "su *", "pkexec *",
    "git push --force*", "git push -f*", "git push * --force*", "git push * -f*", "git push * +*",
    "git reset --hard*", "git clean *", "git checkout -- *", "git checkout .", "git restore .",
    "git stash drop*", "git stash clear*", "git branch -D *", "git filter-branch*", "git reflog expire*",
    "mkfs*", "dd *", "shred *", "wipefs *", "fdisk *", "parted *",
    "chmod -R *", "chmod * -R*", "chown -R *", "chown * -R*", "chgrp -R *",
    "find * -delete*", "find * -exec rm *",
    "shutdown*", "reboot*", "halt*", "poweroff*", "kill -9 -1*", "killall *", "pkill *",
    # A pipe into a shell (`curl … | sh`) shows up as a bare shell command.
    "sh", "bash", "zsh", "dash", "sh -", "bash -", "sh -s*", "bash -s*", "eval *", ":(){*",
    "npm publish*", "pnpm publish*", "yarn publish*", "cargo publish*", "twine upload*", "poetry publish*",
)


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    # `*` matches anything (including spaces and slashes), `?` one character; nothing else is special.
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"(?s:{body})\\Z")


def wildcard_match(pattern: str, text: str) -> bool:
    return bool(_wildcard(pattern).match(text))


def _longest_match(rules: dict[str, Action], text: str) -> Action | None:
    best: tuple[int, Action] | None = None
    for pattern, action in rules.items():
        if wildcard_match(pattern, text) and (best is None or len(pattern) >= best[0]):
            best = (len(pattern), action)
    return best[1] if best else None


def _strictest(actions: list[Action]) -> Action:
    return max(actions, key=lambda a: _SEVERITY[a]) if actions else "allow"


@dataclass(frozen=True)
class Policy:
    """The rules one agent runs under."""

    rules: PermissionConfig  # the config's rules with the agent's on top
    agent_rules: PermissionConfig = field(default_factory=PermissionConfig)  # what the agent itself set
    read_only: bool = False
    agent: str | None = None

    @classmethod
    def for_agent(cls, config: PermissionConfig, agent_rules: PermissionConfig, *, read_only: bool = False,
                  agent: str | None = None) -> Policy:
        return cls(rules=merge_rules(config, agent_rules), agent_rules=agent_rules, read_only=read_only,
                   agent=agent)


def merge_rules(base: PermissionConfig, override: PermissionConfig) -> PermissionConfig:
    """`override`'s settings win; two pattern tables merge pattern by pattern."""
    merged: dict[str, object] = {}
    for name in PermissionConfig.model_fields:
        low, high = getattr(base, name), getattr(override, name)
        if isinstance(low, dict) and isinstance(high, dict):
            merged[name] = {**low, **high}
        else:
            merged[name] = high if high is not None else low
    return PermissionConfig.model_validate(merged)


def _at_least_ask(action: Action) -> Action:
    return "ask" if action == "allow" else action


@dataclass
class _Pending:
    event: PermissionAsked
    request: PermissionRequest
    future: asyncio.Future[None]
    always: list[str] = field(default_factory=list)
    policy: Policy | None = None


class PermissionManager:
    def __init__(self, bus: Bus, config: PermissionConfig, *, mode: Mode = "interactive") -> None:
        self.bus = bus
        self.config = config
        self.mode: Mode = mode
        self._grants: dict[str, list[tuple[str, str]]] = {}  # session id -> (permission, pattern)
        self._pending: dict[str, _Pending] = {}

    # --- rules ---------------------------------------------------------------------------------------------

    def subjects(self, request: PermissionRequest) -> list[str]:
        """What the rules judge: for bash each simple command, otherwise the request's patterns."""
        if request.permission == "bash":
            command = request.metadata.get("command")
            if isinstance(command, str):
                return bash_subjects(command)
        return list(request.patterns)

    def config_action(self, permission: str, subject: str | None = None, policy: Policy | None = None,
                      *, read_only_tool: bool = False) -> Action:
        """The configured (or default) action for one subject, ignoring session grants. `read_only_tool`: an
        MCP tool the server marks read-only."""
        rules = policy.rules if policy is not None else self.config
        read_only_agent = policy is not None and policy.read_only
        if permission == "bash":
            return self._bash_action(subject or "", rules, read_only_agent)
        if permission == "mcp":
            return self._mcp_action(subject or "", rules, read_only_agent, read_only_tool)
        configured = getattr(rules, permission, None) if permission in PermissionConfig.model_fields else None
        if isinstance(configured, str):
            return configured  # type: ignore[return-value]
        return DEFAULT_ACTIONS.get(permission, "ask")

    def _bash_action(self, command: str, rules: PermissionConfig, read_only_agent: bool = False) -> Action:
        destructive = any(wildcard_match(p, command) for p in DESTRUCTIVE_BASH)
        if read_only_agent and destructive:
            return "deny"
        action = self._bash_rule(command, rules.bash, destructive)
        if read_only_agent and not is_read_only(command):
            return _at_least_ask(action)
        return action

    @staticmethod
    def _bash_rule(command: str, configured: Action | dict[str, Action] | None, destructive: bool) -> Action:
        if isinstance(configured, str):
            return configured
        user = dict(configured or {})
        fallback = user.pop("*", None)
        found = _longest_match(user, command)
        if found is not None:
            return found
        if destructive:
            return "ask"
        return fallback or "allow"

    @staticmethod
    def _mcp_action(tool: str, rules: PermissionConfig, read_only_agent: bool, read_only_tool: bool) -> Action:
        configured = rules.mcp
        found = configured if isinstance(configured, str) else _longest_match(dict(configured or {}), tool)
        action: Action = found if found is not None else ("allow" if read_only_tool else "ask")
        if read_only_agent and not read_only_tool:
            return _at_least_ask(action)
        return action

    def _granted(self, session_id: str | None, permission: str, subject: str) -> bool:
        if session_id is None:
            return False
        return any(
            perm == permission and wildcard_match(pattern, subject)
            for perm, pattern in self._grants.get(session_id, [])
        )

    def evaluate(self, request: PermissionRequest, session_id: str | None = None,
                 policy: Policy | None = None) -> Action:
        """Pure lookup: config rules, then (with `session_id`) the "always" grants given in that session."""
        subjects = self.subjects(request) or ["*"]
        actions: list[Action] = []
        read_only_tool = request.metadata.get("read_only") is True
        for subject in subjects:
            action = self.config_action(request.permission, subject, policy, read_only_tool=read_only_tool)
            if action == "ask" and self._granted(session_id, request.permission, subject):
                action = "allow"
            actions.append(action)
        return _strictest(actions)

    def always_patterns(self, request: PermissionRequest, session_id: str | None = None,
                        policy: Policy | None = None) -> list[str]:
        """What answering "always" would remember for the session."""
        if request.permission == "bash":
            out: list[str] = []
            for subject in self.subjects(request):
                asks = self.config_action("bash", subject, policy) == "ask"
                if asks and not self._granted(session_id, "bash", subject):
                    # A destructive command is remembered exactly: "always" for `rm -rf build` must not allow
                    # every `rm` for the rest of the session.
                    if any(wildcard_match(p, subject) for p in DESTRUCTIVE_BASH):
                        wanted = [subject]
                    else:
                        wanted = always_patterns(subject)
                    out += [p for p in wanted if p not in out]
            return out
        if request.permission == "edit":
            return ["*"]  # "always" for edits means: stop asking about edits in this session
        if request.permission == "webfetch":
            out = []
            for url in request.patterns:
                parts = urlsplit(url)
                if parts.scheme and parts.netloc:
                    out.append(f"{parts.scheme}://{parts.netloc}/*")
            return out or ["*"]
        return list(request.patterns) or ["*"]

    # --- the round trip ------------------------------------------------------------------------------------

    async def ask(self, ctx_session_id: str, call_id: str | None, request: PermissionRequest,
                  policy: Policy | None = None, *, on_wait: Callable[[bool], None] | None = None) -> None:
        """Return when the action may go ahead; raise PermissionRejected with a message for the model otherwise.
        `on_wait(True)` / `on_wait(False)` frame the time the question waits for the user."""
        action = self.evaluate(request, ctx_session_id, policy)
        if action == "allow":
            return
        if action == "deny":
            raise PermissionRejected(self._denied_message(request, policy))
        if self.mode == "approve":
            return
        if self.mode == "reject":
            raise PermissionRejected(self._headless_message(request, ctx_session_id))

        loop = asyncio.get_running_loop()
        always = self.always_patterns(request, ctx_session_id, policy)
        event = PermissionAsked(
            id=ids.ascending("per"),
            session_id=ctx_session_id,
            permission=request.permission,
            title=request.title,
            pattern=", ".join(always) if always else None,
            call_id=call_id,
            metadata={**request.metadata, "patterns": list(request.patterns), "always": always,
                      **({"agent": policy.agent} if policy is not None and policy.agent else {}),
                      **self._why(request, ctx_session_id, policy)},
        )
        pending = _Pending(event=event, request=request, future=loop.create_future(), always=always,
                           policy=policy)
        self._pending[event.id] = pending
        if on_wait is not None:
            on_wait(True)
        self.bus.publish(event)
        try:
            await pending.future
        finally:
            self._pending.pop(event.id, None)
            if on_wait is not None:
                on_wait(False)

    def _why(self, request: PermissionRequest, session_id: str, policy: Policy | None) -> dict[str, str]:
        """For bash: which of its commands ask, and why, in one line for the dialog."""
        if request.permission != "bash":
            return {}
        asking = [s for s in self.subjects(request) if self.config_action("bash", s, policy) == "ask"
                  and not self._granted(session_id, "bash", s)]
        destructive = [s for s in asking if any(wildcard_match(p, s) for p in DESTRUCTIVE_BASH)]
        if destructive:
            return {"why": f"{', '.join(destructive[:3])}: can destroy work or reach beyond the project."}
        if asking:
            return {"why": f"The configuration asks before running {', '.join(asking[:3])}."}
        return {}

    def reply(self, request_id: str, reply: Reply, message: str | None = None) -> None:
        """Answer a pending ask. Unknown or already answered ids are ignored (a dialog may answer twice)."""
        pending = self._pending.pop(request_id, None)
        if pending is None or pending.future.done():
            log.debug("permission reply for unknown or answered request %s", request_id)
            return
        session_id = pending.event.session_id
        if reply == "reject":
            text = f"The user rejected this action ({pending.request.title})."
            if message and message.strip():
                text += f" The user said: {message.strip()}"
            else:
                text += " Do not try it again in another way; ask the user how to proceed if you need it."
            pending.future.set_exception(PermissionRejected(text))
        else:
            if reply == "always":
                grants = self._grants.setdefault(session_id, [])
                grants += [(pending.request.permission, p) for p in pending.always]
            pending.future.set_result(None)
        self.bus.publish(PermissionReplied(id=request_id, session_id=session_id, reply=reply))
        if reply == "always":
            self._release_covered(session_id)

    def _release_covered(self, session_id: str) -> None:
        """Other questions of the session that the new grant answers need not wait for the user."""
        for request_id, pending in list(self._pending.items()):
            if (pending.event.session_id == session_id
                    and self.evaluate(pending.request, session_id, pending.policy) == "allow"):
                self.reply(request_id, "once")

    def pending(self, session_id: str | None = None) -> list[PermissionAsked]:
        return [
            p.event for p in self._pending.values() if session_id is None or p.event.session_id == session_id
        ]

    def reject_all(self, session_id: str) -> None:
        """Answer every open question of the session "no" (the user aborted the run)."""
        for request_id, pending in list(self._pending.items()):
            if pending.event.session_id == session_id:
                self.reply(request_id, "reject", "The run was aborted by the user.")

    def clear_session(self, session_id: str) -> None:
        """Forget the session's "always" grants (session deleted)."""
        self._grants.pop(session_id, None)

    # --- messages ------------------------------------------------------------------------------------------

    def _denied_message(self, request: PermissionRequest, policy: Policy | None = None) -> str:
        if policy is not None and policy.agent and (
            getattr(policy.agent_rules, request.permission, None) is not None
            or (policy.read_only and request.permission in ("bash", "mcp"))
        ):
            kind = "read-only " if policy.read_only else ""
            return (
                f"This action is denied for the {kind}'{policy.agent}' agent: {request.title}. Do not try to work "
                "around it. If it is needed, say so: the user can switch to the build agent (Tab)."
            )
        return (
            f"This action is denied by the configuration (permission.{request.permission} = \"deny\" "
            f"in agent-tui.json): {request.title}. Do not try to work around it; tell the user if it is needed."
        )

    def _headless_message(self, request: PermissionRequest, session_id: str) -> str:
        if request.permission == "mcp":
            tool = request.patterns[0] if request.patterns else "*"
            line = f'"permission": {{"mcp": {{"{tool}": "allow"}}}}'
        elif request.permission == "bash":
            patterns = self.always_patterns(request, session_id)
            pattern = next((p for p in patterns if p.endswith("*")), patterns[0] if patterns else "*")
            line = f'"permission": {{"bash": {{"{pattern}": "allow"}}}}'
        else:
            line = f'"permission": {{"{request.permission}": "allow"}}'
        return (
            f"Permission needed: {request.title}. This run is non-interactive, so the request was refused. "
            f"To allow it, rerun with --yes, or add {line} to agent-tui.json."
        )
