"""Deterministic scenes of the app for snapshot tests and `screenshots/make_screenshots.py`.

Everything that reaches the screen is fixed: the clock, the folders (shown as `~/project`: each scene gets a
folder of its own and is its home, so two runs on one machine never share one), the session and message ids
and times. Conversations are written to storage as records, so no model and no network is needed;
the app opens them exactly as it opens a real session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from agent_tui.core.config import Config
from agent_tui.core.events import PartUpdated, PermissionAsked, SessionBusy
from agent_tui.core.models import (
    AssistantMessage,
    MessageError,
    MessageTime,
    Session,
    SessionTime,
    StepFinishPart,
    TextPart,
    TokenUsage,
    ToolPart,
    ToolState,
    UserMessage,
)
from agent_tui.core.project import Project
from agent_tui.core.session.service import SessionService
from agent_tui.core.storage import Storage
from agent_tui.tui import format as fmt
from agent_tui.tui.app import AgentApp
from agent_tui.tui.state import PromptHistory

NOW_MS = 1_767_261_600_000  # a fixed "now" for relative times and durations
MINUTE = 60_000
SIZE = (120, 40)

PROVIDERS = {
    "anthropic": {"api": "anthropic", "base_url": "http://127.0.0.1:9", "api_key": "sk-scene", "models": {
        "claude-sonnet-4-5": {"limit": {"context": 200_000, "output": 64_000}, "cost": {"input": 3, "output": 15}},
        "claude-haiku-4-5": {"limit": {"context": 200_000, "output": 64_000}, "cost": {"input": 1, "output": 5}},
    }},
    "local": {"name": "Local server", "api": "openai", "base_url": "http://127.0.0.1:9/v1", "models": {
        "qwen2.5-coder:7b": {"limit": {"context": 32_768, "output": 4_096}},
        "llama3.1:8b": {"limit": {"context": 131_072, "output": 4_096}},
    }},
}

EDIT_DIFF = "\n".join([
    "--- a/src/greeting.py",
    "+++ b/src/greeting.py",
    "@@ -1,6 +1,8 @@",
    " def greet(name: str) -> str:",
    '-    return "Hello " + name',
    "+    if not name.strip():",
    '+        raise ValueError("name must not be empty")',
    '+    return f"Hello, {name}!"',
    " ",  # unchanged blank lines are one space in a unified diff
    " ",
    ' if __name__ == "__main__":',
    '     print(greet("world"))',
]) + "\n"


_root: Path | None = None  # where the next scenes go (the snapshot tests give each test its own)


def use_root(root: Path | None) -> None:
    """Put the scenes prepared from now on under `root` (None: a new temporary folder each time)."""
    global _root
    _root = root


def prepare(root: Path | None = None) -> Path:
    """A fresh project folder and agent-tui home under `root` (which becomes $HOME, so the screen shows the
    project as `~/project` wherever it is); returns the project folder."""
    root = root or _root or Path(tempfile.mkdtemp(prefix="agent-tui-scene-"))
    shutil.rmtree(root, ignore_errors=True)
    project = root / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "greeting.py").write_text('def greet(name: str) -> str:\n    return "Hello " + name\n')
    os.environ["HOME"] = str(root)
    os.environ["AGENT_TUI_HOME"] = str(root / "home")
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    fmt.clock = lambda: NOW_MS / 1000
    return project


def service_for(project: Path, *, providers: bool = True) -> SessionService:
    data: dict[str, Any] = {"model": "anthropic/claude-sonnet-4-5", "provider": PROVIDERS} if providers else {}
    return SessionService(project=Project.discover(project), config=Config.model_validate(data),
                          storage=Storage(project.parent / "home" / "data" / "agent-tui.db"))


def add_session(service: SessionService, number: int, title: str, *, minutes_ago: int, cost: str = "0") -> Session:
    when = NOW_MS - minutes_ago * MINUTE
    session = Session(id=f"ses_scene{number:02d}", project_id=service.project.id,
                      directory=str(service.project.directory), title=title, title_generated=True,
                      time=SessionTime(created=when, updated=when), cost=Decimal(cost),
                      model="anthropic/claude-sonnet-4-5")
    service.storage.put_session(session)
    return session


def add_exchange(
    service: SessionService, session: Session, number: int, question: str, answer: str, *,
    error: MessageError | None = None, tools: list[ToolPart] | None = None, running: bool = False,
) -> AssistantMessage:
    start = session.time.updated - 2 * MINUTE
    user = UserMessage(id=f"msg_scene{number:02d}a", session_id=session.id, time=MessageTime(created=start))
    assistant = AssistantMessage(
        id=f"msg_scene{number:02d}b", session_id=session.id, provider="anthropic", model="claude-sonnet-4-5",
        parent_id=user.id, time=MessageTime(created=start + 1000, completed=None if running else start + 9_400),
        tokens=TokenUsage(input=18_240, output=412), context_tokens=18_652, cost=Decimal("0.0609"), error=error,
    )
    parts: list[Any] = [TextPart(id=f"prt_scene{number:02d}a", session_id=session.id, message_id=user.id,
                                 text=question)]
    if answer:
        parts.append(TextPart(id=f"prt_scene{number:02d}b", session_id=session.id, message_id=assistant.id,
                              text=answer, time_start=start + 1500, time_end=start + 4000))
    for index, tool in enumerate(tools or []):
        parts.append(tool.model_copy(update={"id": f"prt_scene{number:02d}t{index}", "session_id": session.id,
                                             "message_id": assistant.id}))
    if not running:
        parts.append(StepFinishPart(id=f"prt_scene{number:02d}z", session_id=session.id, message_id=assistant.id,
                                    tokens=assistant.tokens, cost=assistant.cost, finish_reason="stop"))
    service.storage.put_all(messages=[user, assistant], parts=parts)
    return assistant


def make_app(service: SessionService, **kwargs: Any) -> AgentApp:
    history = PromptHistory.load(service.project.directory.parent / "home" / "history.json")
    return AgentApp(service, history=history, warm_up=False, **kwargs)


async def steady(pilot: Pilot[Any]) -> None:
    """Wait until the picture no longer depends on how fast the machine is: every engine event taken and every
    change drawn by the log (it paints at a frame pace, on a timer), and no blinking cursor on any screen."""
    app = pilot.app
    assert isinstance(app, AgentApp)
    await pilot.pause()
    for _ in range(1500):  # up to 30 s: a loaded machine paints slowly
        if app.main.transcript.settled and not app.bridge.pending:
            break
        await pilot.pause(0.02)
    for screen in app.screen_stack:  # `app.query` sees only the default screen, not an open dialog
        for area in screen.query("TextArea, Input"):
            area.cursor_blink = False  # type: ignore[attr-defined]
            # A TextArea's line cache keys the cursor only while it blinks: a line drawn in the blink's off
            # half-second would be reused without the cursor. Restyling clears that cache.
            area.notify_style_update()
    await pilot.pause()


@dataclass
class Scene:
    app: AgentApp
    press: tuple[str, ...] = ()
    run_before: Callable[[Pilot[Any]], Awaitable[None]] = steady
    notes: list[str] = field(default_factory=list)

    async def settle(self, pilot: Pilot[Any]) -> None:
        """The scene's own steps, then its keys, then `steady` once more: a dialog the keys open (the model
        picker's filter, F2) mounts a blinking cursor after the first `steady`, and on a loaded machine the
        picture could be taken in its off half-second. Tests pass this as `run_before` with no `press`."""
        await self.run_before(pilot)
        await pilot.press(*self.press)
        await steady(pilot)


def sidebar_sessions(service: SessionService) -> Session:
    add_session(service, 1, "Fix flaky upload test", minutes_ago=3 * 24 * 60, cost="0.41")
    add_session(service, 2, "Explain the storage layer", minutes_ago=26 * 60, cost="0.08")
    add_session(service, 3, "Add --json flag to export", minutes_ago=95, cost="0.23")
    return add_session(service, 4, "Validate greeting names", minutes_ago=4, cost="0.06")


# --- the scenes ---------------------------------------------------------------------------------------------


def empty_session() -> Scene:
    project = prepare()
    service = service_for(project)
    return Scene(make_app(service))


def first_run() -> Scene:
    project = prepare()
    return Scene(make_app(service_for(project, providers=False)))


def model_picker() -> Scene:
    project = prepare()
    service = service_for(project)
    sidebar_sessions(service)
    return Scene(make_app(service), press=("f2",))


def session_switcher() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    add_exchange(service, current, 1, "Reject empty names in greet()", "Done: `greet` now raises on empty names.")
    return Scene(make_app(service, session_id=current.id), press=("ctrl+s",))


def provider_error() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    add_exchange(
        service, current, 1, "Reject empty names in greet()", "",
        error=MessageError(kind="auth", provider="anthropic", message=(
            "Anthropic rejected the API key (401). Check ANTHROPIC_API_KEY, or pick another model with /models.")),
    )
    return Scene(make_app(service, session_id=current.id))


def permission_request() -> Scene:
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    edit = ToolPart(session_id=current.id, message_id="", call_id="call_edit", tool="edit", state=ToolState(
        status="running", title="src/greeting.py", time_start=NOW_MS - 2_000,
        input={"file_path": "src/greeting.py", "old_string": 'return "Hello " + name', "new_string": "…"},
    ))
    add_exchange(service, current, 1, "Reject empty names in greet()",
                 "I'll make `greet` raise on an empty name.", tools=[edit], running=True)
    app = make_app(service, session_id=current.id)

    async def ask(pilot: Pilot[Any]) -> None:
        service.bus.publish(SessionBusy(session_id=current.id))  # as when the turn is really running
        # ... and the model has asked for the edit (the stored part, attached to its message).
        stored = next(p for m in service.messages(current.id) for p in m.parts if p.type == "tool")
        service.bus.publish(PartUpdated(part=stored))
        service.bus.publish(PermissionAsked(
            id="per_scene", session_id=current.id, permission="edit", title="Edit src/greeting.py",
            pattern="*", call_id="call_edit", metadata={"diff": EDIT_DIFF, "path": "src/greeting.py"},
        ))
        await pilot.pause()
        await steady(pilot)

    return Scene(app, run_before=ask)


def plan_agent() -> Scene:
    """A session under the read-only plan agent: its name in the status line and on the prompt's border."""
    project = prepare()
    service = service_for(project)
    current = sidebar_sessions(service)
    current.agent = "plan"
    service.storage.put_session(current)
    add_exchange(service, current, 1, "How would you validate names in greet()?",
                 "Plan:\n\n1. In `src/greeting.py:1`, raise `ValueError` when `name.strip()` is empty.\n"
                 "2. Add a test for empty and blank names.\n\nSwitch to the build agent (Tab) to apply it.")
    return Scene(make_app(service, session_id=current.id))


SCENES: dict[str, Callable[[], Scene]] = {
    "empty_session": empty_session,
    "first_run": first_run,
    "model_picker": model_picker,
    "session_switcher": session_switcher,
    "provider_error": provider_error,
    "permission_request": permission_request,
    "plan_agent": plan_agent,
}

# Scenes kept beside their feature; importing them registers them here.
import tests.tui.scenes_compaction  # noqa: E402
import tests.tui.scenes_features  # noqa: E402
import tests.tui.scenes_paste  # noqa: E402
import tests.tui.scenes_permission  # noqa: E402
import tests.tui.scenes_undo  # noqa: E402, F401
