"""Runs chat turns in Textual workers, one per session, and queues what is sent while a session is busy.

A worker drains its session's queue: each entry is one `svc.chat` (or `/compact`, `/init`) call. Sessions run
independently, so one can stream in the background while another is on screen. Failures that happen before
anything is stored (unknown model, missing key) come back as `ChatRunner.Failed` so the screen can show them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from textual.app import App
from textual.message import Message
from textual.worker import Worker

from agent_tui.core.events import SessionIdle
from agent_tui.core.free_memory import give_back_free_memory
from agent_tui.core.llm.catalog import ModelError
from agent_tui.core.session.service import BusyError, SessionNotFound
from agent_tui.core.storage import StorageError
from agent_tui.tui.widgets.paste_attachments import Attachment, PasteMissing

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService
    from agent_tui.tui.app import AgentApp

Kind = Literal["chat", "compact", "init", "shell"]
# After the process's first turn (one-time set-up freed) and after a turn that carried a long paste, freed memory
# is handed back once the reply's last events are drawn.
TRIM_DELAY = 1.0


@dataclass
class QueuedPrompt:
    text: str
    kind: Kind = "chat"
    files: list[Path] = field(default_factory=list)
    model: str | None = None
    prompt: str | None = None  # sent to the model after `text`, not shown (a custom command's expansion)
    pastes: list[Attachment] = field(default_factory=list)  # long pastes whose chips `text` holds
    created_session: bool = False  # the session was created for this prompt (deleted again if it fails to start)


class QueueChanged(Message):
    def __init__(self, session_id: str, queued: list[QueuedPrompt]) -> None:
        super().__init__()
        self.session_id = session_id
        self.queued = queued


class ChatFailed(Message):
    """A run could not start or crashed; `error` is a message for the user."""

    def __init__(self, session_id: str, error: str, prompt: QueuedPrompt) -> None:
        super().__init__()
        self.session_id = session_id
        self.error = error
        self.prompt = prompt


def forget_session_if_empty(app: AgentApp, failed: ChatFailed) -> None:
    """Delete the session a failed first prompt created, so a send that never started leaves no empty session."""
    service = app.service
    session_id = failed.session_id
    # (Its worker may not have finished yet: it posted this message on its way out.)
    if not failed.prompt.created_session or service.is_busy(session_id) or app.runner.queued(session_id):
        return
    if service.get(session_id) is not None and not service.messages(session_id):
        with contextlib.suppress(StorageError):  # the database is locked: an empty session stays, nothing lost
            service.delete(session_id, wait=False)


class ChatRunner:
    def __init__(self, app: App[object], service: SessionService) -> None:
        self.app = app
        self.service = service
        self._queues: dict[str, list[QueuedPrompt]] = {}
        self._workers: dict[str, Worker[None]] = {}
        self.turns_run = 0

    def running(self, session_id: str) -> bool:
        worker = self._workers.get(session_id)
        return (worker is not None and not worker.is_finished) or self.service.is_busy(session_id)

    def any_running(self) -> bool:
        return any(self.running(s) for s in {*self._workers, *self.service.busy_sessions()})

    def queued(self, session_id: str) -> list[QueuedPrompt]:
        return list(self._queues.get(session_id, []))

    def submit(self, session_id: str, prompt: QueuedPrompt) -> Literal["started", "queued"]:
        """Run `prompt` now, or after what the session is running (the answer says which)."""
        busy = self.running(session_id)
        self._queues.setdefault(session_id, []).append(prompt)
        if busy:
            self._announce(session_id)
            if session_id not in self._workers or self._workers[session_id].is_finished:
                # Busy without a worker of ours (a turn started elsewhere): wait for it, then drain.
                self._start(session_id)
            return "queued"
        self._start(session_id)
        return "started"

    def take_queue(self, session_id: str) -> list[QueuedPrompt]:
        """Remove and return what is queued (Esc: the user wants the session to stop)."""
        taken = self._queues.pop(session_id, [])
        if taken:
            self._announce(session_id)
        return taken

    def abort(self, session_id: str) -> bool:
        return self.service.abort(session_id)

    def _announce(self, session_id: str) -> None:
        self.app.post_message(QueueChanged(session_id, self.queued(session_id)))

    def _start(self, session_id: str) -> None:
        self._workers[session_id] = self.app.run_worker(
            self._drain(session_id), name=f"chat {session_id}", group=f"chat-{session_id}", exit_on_error=False,
        )

    async def _drain(self, session_id: str) -> None:
        while True:
            await self._wait_idle(session_id)
            queue = self._queues.get(session_id)
            if not queue:
                self._queues.pop(session_id, None)
                return
            prompt = queue.pop(0)
            self._announce(session_id)
            try:
                await self._run(session_id, prompt)
                self.turns_run += 1
                if prompt.pastes or self.turns_run == 1:
                    prompt.pastes = []  # the last reference to the pasted text: its memory can go back now
                    self.app.set_timer(TRIM_DELAY, give_back_free_memory)
            except (ModelError, SessionNotFound, BusyError, PasteMissing) as exc:
                self.app.post_message(ChatFailed(session_id, str(exc), prompt))
            except Exception as exc:  # never let a worker die silently: the user must see why nothing happened
                self.app.post_message(ChatFailed(session_id, f"{type(exc).__name__}: {exc}", prompt))

    async def _wait_idle(self, session_id: str) -> None:
        """Wait for a turn started outside this runner (rare: ours are awaited directly)."""
        if not self.service.is_busy(session_id):
            return
        idle = asyncio.Event()

        def on_idle(event: SessionIdle) -> None:
            if event.session_id == session_id:
                idle.set()

        unsubscribe = self.service.bus.subscribe(SessionIdle, on_idle)
        try:
            while self.service.is_busy(session_id):
                idle.clear()
                await idle.wait()
        finally:
            unsubscribe()

    def _run(self, session_id: str, prompt: QueuedPrompt) -> Awaitable[object]:
        calls: dict[Kind, Callable[[], Awaitable[object]]] = {
            "chat": lambda: self.service.chat(
                session_id, prompt.text, model=prompt.model, files=prompt.files, prompt=prompt.prompt,
                pastes=[a.to_paste(self.service.storage.get_part) for a in prompt.pastes]),
            "compact": lambda: self.service.compact(session_id, model=prompt.model),
            "init": lambda: self.service.initialize(session_id, model=prompt.model),
            "shell": lambda: self.service.shell(session_id, prompt.text.removeprefix("!")),
        }
        return calls[prompt.kind]()
