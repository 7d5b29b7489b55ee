"""Permission checks: config rules, "always" grants per session, and the ask/reply round trip with the user.

Defaults: reads are never asked; `edit` and `bash` are allowed inside the project, except destructive commands
(recursive or forced `rm`, force-pushes, `git reset --hard`, `sudo`, `mkfs`, `dd`, piping into a shell, …)
which ask; `external_directory` (any path outside the project) asks; `webfetch` is allowed (it only reads).
Unknown permissions (MCP tools) ask.

`bash` rules are wildcard patterns on each simple command of a compound line (`a && rm -rf x` is judged as
`a` and `rm -rf x`; the strictest answer wins). Among the user's patterns the longest match wins; a user pattern
other than `"*"` beats the built-in destructive list, while a user `"*"` only replaces the built-in fallback,
so `{"*": "allow"}` keeps destructive commands asking. `"bash": "allow"` (a single action) applies to all.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from agent_tui.core import ids
from agent_tui.core.bus import Bus
from agent_tui.core.config import Action, PermissionConfig
from agent_tui.core.events import PermissionAsked, PermissionReplied
from agent_tui.core.tools.base import PermissionRejected, PermissionRequest
from agent_tui.core.tools.shell import always_patterns, split_commands

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


@dataclass
class _Pending:
    event: PermissionAsked
    request: PermissionRequest
    future: asyncio.Future[None]
    always: list[str] = field(default_factory=list)


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
                return split_commands(command) or [command.strip()]
        return list(request.patterns)

    def config_action(self, permission: str, subject: str | None = None) -> Action:
        """The configured (or default) action for one subject, ignoring session grants."""
        if permission == "bash":
            return self._bash_action(subject or "")
        configured = getattr(self.config, permission, None) if permission in PermissionConfig.model_fields else None
        if isinstance(configured, str):
            return configured  # type: ignore[return-value]
        return DEFAULT_ACTIONS.get(permission, "ask")

    def _bash_action(self, command: str) -> Action:
        configured = self.config.bash
        if isinstance(configured, str):
            return configured  # type: ignore[return-value]
        user = dict(configured or {})
        fallback = user.pop("*", None)
        found = _longest_match(user, command)
        if found is not None:
            return found
        if any(wildcard_match(p, command) for p in DESTRUCTIVE_BASH):
            return "ask"
        return fallback or "allow"

    def _granted(self, session_id: str | None, permission: str, subject: str) -> bool:
        if session_id is None:
            return False
        return any(
            perm == permission and wildcard_match(pattern, subject)
            for perm, pattern in self._grants.get(session_id, [])
        )

    def evaluate(self, request: PermissionRequest, session_id: str | None = None) -> Action:
        """Pure lookup: config rules, then (with `session_id`) the "always" grants given in that session."""
        subjects = self.subjects(request) or ["*"]
        actions: list[Action] = []
        for subject in subjects:
            action = self.config_action(request.permission, subject)
            if action == "ask" and self._granted(session_id, request.permission, subject):
                action = "allow"
            actions.append(action)
        return _strictest(actions)

    def always_patterns(self, request: PermissionRequest, session_id: str | None = None) -> list[str]:
        """What answering "always" would remember for the session."""
        if request.permission == "bash":
            out: list[str] = []
            for subject in self.subjects(request):
                if self.config_action("bash", subject) == "ask" and not self._granted(session_id, "bash", subject):
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

    async def ask(self, ctx_session_id: str, call_id: str | None, request: PermissionRequest) -> None:
        """Return when the action may go ahead; raise PermissionRejected with a message for the model otherwise."""
        action = self.evaluate(request, ctx_session_id)
        if action == "allow":
            return
        if action == "deny":
            raise PermissionRejected(self._denied_message(request))
        if self.mode == "approve":
            return
        if self.mode == "reject":
            raise PermissionRejected(self._headless_message(request, ctx_session_id))

        loop = asyncio.get_running_loop()
        always = self.always_patterns(request, ctx_session_id)
        event = PermissionAsked(
            id=ids.ascending("per"),
            session_id=ctx_session_id,
            permission=request.permission,
            title=request.title,
            pattern=", ".join(always) if always else None,
            call_id=call_id,
            metadata={**request.metadata, "patterns": list(request.patterns), "always": always},
        )
        pending = _Pending(event=event, request=request, future=loop.create_future(), always=always)
        self._pending[event.id] = pending
        self.bus.publish(event)
        try:
            await pending.future
        finally:
            self._pending.pop(event.id, None)

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
            if pending.event.session_id == session_id and self.evaluate(pending.request, session_id) == "allow":
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

    def _denied_message(self, request: PermissionRequest) -> str:
        return (
            f"This action is denied by the configuration (permission.{request.permission} = \"deny\" "
            f"in agent-tui.json): {request.title}. Do not try to work around it; tell the user if it is needed."
        )

    def _headless_message(self, request: PermissionRequest, session_id: str) -> str:
        if request.permission == "bash":
            patterns = self.always_patterns(request, session_id)
            pattern = next((p for p in patterns if p.endswith("*")), patterns[0] if patterns else "*")
            line = f'"permission": {{"bash": {{"{pattern}": "allow"}}}}'
        else:
            line = f'"permission": {{"{request.permission}": "allow"}}'
        return (
            f"Permission needed: {request.title}. This run is non-interactive, so the request was refused. "
            f"To allow it, rerun with --yes, or add {line} to agent-tui.json."
        )
