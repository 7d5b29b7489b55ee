"""Fixed conversations (ids, times and paths fixed) showing every kind of block: for snapshot tests,
screenshots and benchmarks. No LLM involved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    MessageError,
    MessageTime,
    MessageWithParts,
    ReasoningPart,
    TextPart,
    TokenUsage,
    ToolPart,
    ToolState,
    UserMessage,
)

SESSION = "ses_demo"
T0 = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC
MODEL = "claude-sonnet-4-5"


class Ids:
    """Ascending ids with a fixed prefix so parts and messages sort in the order they are made."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count:06d}"


def user(ids: Ids, text: str, at: int, files: list[str] | None = None) -> MessageWithParts:
    info = UserMessage(id=ids("msg"), session_id=SESSION, time=MessageTime(created=at, completed=at))
    parts: list[Any] = [TextPart(id=ids("prt"), session_id=SESSION, message_id=info.id, text=text)]
    for path in files or []:
        parts.append(FilePart(
            id=ids("prt"), session_id=SESSION, message_id=info.id, mime="text/plain", filename=path.split("/")[-1],
            url=f"file:///project/{path}", source_path=path,
        ))
    return MessageWithParts(info=info, parts=parts)


def assistant(
    ids: Ids, at: int, seconds: float, *, tokens: tuple[int, int] = (1200, 340), cost: str = "0.0087",
    error: MessageError | None = None, completed: bool = True,
) -> AssistantMessage:
    return AssistantMessage(
        id=ids("msg"), session_id=SESSION, provider="anthropic", model=MODEL,
        time=MessageTime(created=at, completed=at + int(seconds * 1000) if completed else None),
        tokens=TokenUsage(input=tokens[0], output=tokens[1]), cost=Decimal(cost), error=error,
    )


def text(ids: Ids, message_id: str, body: str, start: int, end: int | None) -> TextPart:
    return TextPart(id=ids("prt"), session_id=SESSION, message_id=message_id, text=body, time_start=start,
                    time_end=end)


def tool(
    ids: Ids, message_id: str, name: str, args: dict[str, Any], *, status: str = "completed", output: str | None = None,
    error: str | None = None, metadata: dict[str, Any] | None = None, start: int = T0, ms: int = 400,
    title: str | None = None,
) -> ToolPart:
    state = ToolState(
        status=status,  # type: ignore[arg-type]
        input=args, output=output, error=error, metadata=metadata or {}, title=title, time_start=start,
        time_end=start + ms if status in ("completed", "error") else None,
    )
    return ToolPart(id=ids("prt"), session_id=SESSION, message_id=message_id, call_id=ids("call"), tool=name,
                    state=state)


BUS_DIFF = """\
--- a/agent_tui/core/bus.py
+++ b/agent_tui/core/bus.py
@@ -41,7 +41,9 @@ class Bus:
     def publish(self, event: Event) -> None:
-        for queue in self._subscribers:
-            queue.put_nowait(event)
+        for queue in list(self._subscribers):
+            if queue.full():
+                continue  # a slow subscriber must not block the engine
+            queue.put_nowait(event)
"""

READ_OUTPUT = """\
    38\t    def subscribe(self) -> asyncio.Queue[Event]:
    39\t        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=1000)
    40\t        self._subscribers.append(queue)
    41\t        return queue
    42\t
    43\t    def publish(self, event: Event) -> None:
    44\t        for queue in self._subscribers:
    45\t            queue.put_nowait(event)
"""

REPLY = """\
## Why it hung

The bus blocked because `publish` waits on a **full queue**. I changed it to skip subscribers that are \
behind, so a slow widget can no longer stall the engine:

> A subscriber that falls behind misses events; it reloads from storage when it catches up.

```python
for queue in list(self._subscribers):
    if queue.full():
        continue
    queue.put_nowait(event)
```

All 14 tests in `tests/core/test_bus.py` pass now. See [asyncio queues](https://docs.python.org/3/library/asyncio-queue.html)."""


def full_conversation() -> list[MessageWithParts]:
    """A finished exchange using every tool panel kind, then an MCP call and an unknown tool."""
    ids = Ids()
    first = user(ids, "The event bus hangs when the sidebar is slow. Find out why and fix it.", T0,
                 files=["agent_tui/core/bus.py"])
    reply = assistant(ids, T0 + 1000, 18.4, tokens=(15300, 910), cost="0.0612")
    m = reply.id
    at = T0 + 1500
    parts: list[Any] = [
        ReasoningPart(id=ids("prt"), session_id=SESSION, message_id=m,
                      text="The hang is probably a full asyncio queue. Let me look at publish() and its callers.",
                      time_start=at, time_end=at + 2300),
        text(ids, m, "Let me look at the bus and where it is used.", at + 2400, at + 2600),
        tool(ids, m, "read", {"file_path": "agent_tui/core/bus.py"}, output=READ_OUTPUT, start=at + 2700, ms=12),
        tool(ids, m, "grep", {"pattern": "bus.publish", "path": "agent_tui"},
             output="agent_tui/core/session/loop.py:88\nagent_tui/core/session/service.py:141\n"
                    "agent_tui/tui/bridge.py:23", metadata={"count": 3}, start=at + 2800, ms=35),
        tool(ids, m, "glob", {"pattern": "tests/**/test_bus*.py"}, output="tests/core/test_bus.py",
             start=at + 2900, ms=8),
        tool(ids, m, "ls", {"path": "agent_tui/core"}, output="bus.py\nconfig.py\nevents.py\nmodels.py\nstorage.py",
             start=at + 2950, ms=5),
        tool(ids, m, "todowrite", {}, metadata={"todos": [
            {"id": "1", "content": "Find why publish blocks", "status": "completed"},
            {"id": "2", "content": "Skip full subscriber queues", "status": "completed"},
            {"id": "3", "content": "Run the bus tests", "status": "in_progress"},
            {"id": "4", "content": "Benchmark the sidebar", "status": "cancelled"},
        ]}, start=at + 3000, ms=3),
        tool(ids, m, "edit", {"file_path": "agent_tui/core/bus.py", "old_string": "…", "new_string": "…"},
             output="Edited agent_tui/core/bus.py", metadata={"diff": BUS_DIFF}, start=at + 3100, ms=21),
        tool(ids, m, "bash", {"command": "pytest -q tests/core/test_bus.py"},
             output="..............                                  [100%]\n14 passed in 0.31s",
             metadata={"exit_code": 0}, start=at + 3200, ms=1900),
        tool(ids, m, "task", {"description": "Check other publishers for the same bug", "prompt": "…"},
             output="Only the bus publishes to queues; the storage writer uses its own lock. No other change needed.",
             metadata={"steps": [
                 {"tool": "grep", "title": "put_nowait", "status": "completed"},
                 {"tool": "read", "title": "agent_tui/core/storage.py", "status": "completed"},
             ]}, start=at + 5200, ms=6400),
        tool(ids, m, "github_search_issues", {"query": "asyncio queue full", "repo": "example/agent-tui"},
             output="No issues found.", start=at + 11700, ms=820),
        tool(ids, m, "write", {"file_path": "/etc/hosts", "content": "…"}, status="error",
             error="Permission denied: /etc/hosts is outside the project; the user rejected the change.",
             start=at + 12600, ms=2),
        text(ids, m, REPLY, at + 12700, at + 16900),
    ]
    return [first, MessageWithParts(info=reply, parts=parts)]


def error_conversation() -> list[MessageWithParts]:
    """A question whose reply failed to authenticate, then an interrupted reply."""
    ids = Ids()
    question = user(ids, "Summarise the README in three bullet points.", T0)
    failed = assistant(ids, T0 + 500, 0.6, tokens=(0, 0), cost="0", error=MessageError(
        kind="auth", provider="openai", message="Authentication failed: the provider rejected the API key (401).",
    ))
    again = user(ids, "Try again with the other model.", T0 + 60_000)
    cut = assistant(ids, T0 + 60_500, 4.2, tokens=(900, 60), cost="0.0011",
                    error=MessageError(kind="aborted", message="Aborted by the user."))
    partial = text(ids, cut.id, "The README describes **agent-tui**, a terminal coding agent. It", T0 + 61_000, None)
    running = tool(ids, cut.id, "bash", {"command": "wc -l README.md"}, status="running", start=T0 + 62_000)
    return [
        question, MessageWithParts(info=failed, parts=[]),
        again, MessageWithParts(info=cut, parts=[partial, running]),
    ]
