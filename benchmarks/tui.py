"""Message-log benchmarks: the Transcript widget next to the naive one-`Markdown`-widget-per-message log.

Run: /tmp/venv/bin/python benchmarks/tui.py [--quick]

Measures, headless (`App.run_test`, 120×40):
- a 3,000-token reply streamed at full speed, and at one chunk every 5 ms: CPU seconds, wall seconds, CPU % of a core;
- opening a session of 1,000 messages with tool calls: time to the first painted frame, and memory (tracemalloc peak
  of the load, measured in a separate run because tracing slows everything down);
- the full-speed reply again after that 1,000-message history (a long session must not slow new replies).
The baseline runs are bounded (a 1,000-chunk paced stream, 200 mounted Markdown widgets) and extrapolated where said.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from agent_tui.core.events import MessageUpdated, PartDelta, PartUpdated
from agent_tui.core.models import (
    AssistantMessage,
    MessageTime,
    MessageWithParts,
    TextPart,
    TokenUsage,
    ToolPart,
    ToolState,
    UserMessage,
)
from agent_tui.testing.streamed_events import streamed
from agent_tui.tui.transcript import Transcript

SIZE = (120, 40)
SESSION = "ses_bench"
T0 = 1_767_225_600_000

# --- data ---------------------------------------------------------------------------------------------------

PARAGRAPHS = [
    "The session engine publishes every change on the bus, and the log applies the deltas as they arrive. "
    "Finished blocks are rendered once; only the last, unfinished one is rendered again on each frame.",
    "Here is the **change** I made in `agent_tui/core/bus.py`, with the reasoning behind each step:",
    "- the queue is bounded, so a slow subscriber cannot grow memory without limit\n"
    "- a full queue drops the event for that subscriber only\n"
    "- the engine never awaits a subscriber",
    "```python\nclass Bus:\n    def __init__(self) -> None:\n"
    "        self._subscribers: list[asyncio.Queue[Event]] = []\n\n"
    "    def publish(self, event: Event) -> None:\n        for queue in list(self._subscribers):\n"
    "            if queue.full():\n                continue\n            queue.put_nowait(event)\n```",
    "1. Run the tests with `pytest -q`.\n2. Open the app and stream a long reply.\n3. Scroll up while it streams.",
    "## What changed\n\nThe widget now keeps a cache of rendered lines per block and width, so scrolling through a "
    "long session costs nothing once a block has been seen.",
]


def reply_text(tokens: int = 3000) -> str:
    """About `tokens` tokens (4 characters each) of realistic Markdown: prose, lists, code, headings."""
    out: list[str] = []
    size = 0
    index = 0
    while size < tokens * 4:
        block = PARAGRAPHS[index % len(PARAGRAPHS)]
        out.append(block)
        size += len(block) + 2
        index += 1
    return "\n\n".join(out)


def chunks_of(text: str, count: int) -> list[str]:
    step = max(1, len(text) // count)
    return [text[i : i + step] for i in range(0, len(text), step)]


def stream_events(text: str, chunk_count: int) -> tuple[list[object], str]:
    """The events a reply produces: the message, the part and one PartDelta per chunk, completion."""
    message = AssistantMessage(
        id="msg_zzzz_reply", session_id=SESSION, provider="bench", model="bench-model",
        time=MessageTime(created=T0),
    )
    events: list[object] = [MessageUpdated(message=message)]
    part_id = "prt_zzzz_reply"
    chunks = chunks_of(text, chunk_count)
    events += streamed(TextPart(id=part_id, session_id=SESSION, message_id=message.id, time_start=T0), chunks)
    so_far = "".join(chunks)
    done = TextPart(id=part_id, session_id=SESSION, message_id=message.id, text=so_far, time_start=T0, time_end=T0 + 1)
    events.append(PartUpdated(part=done))
    finished = message.model_copy(update={"time": MessageTime(created=T0, completed=T0 + 20_000),
                                          "tokens": TokenUsage(input=20_000, output=3000), "cost": Decimal("0.05")})
    events.append(MessageUpdated(message=finished))
    return events, text


def history(count: int = 1000) -> list[MessageWithParts]:
    """`count` messages: user questions and assistant replies, each reply with text, a read and a bash call."""
    messages: list[MessageWithParts] = []
    for n in range(count // 2):
        at = T0 + n * 60_000
        user = UserMessage(id=f"msg_{2 * n:06d}", session_id=SESSION, time=MessageTime(created=at))
        messages.append(MessageWithParts(info=user, parts=[TextPart(
            id=f"prt_{2 * n:06d}_a", session_id=SESSION, message_id=user.id,
            text=f"Question {n}: why does the sidebar stall when a reply streams? Look at bus.py and fix it.",
        )]))
        reply = AssistantMessage(
            id=f"msg_{2 * n + 1:06d}", session_id=SESSION, provider="bench", model="bench-model",
            time=MessageTime(created=at + 1000, completed=at + 9000), tokens=TokenUsage(input=9000, output=400),
            cost=Decimal("0.01"),
        )
        pid = f"prt_{2 * n + 1:06d}"
        parts = [
            ToolPart(id=f"{pid}_a", session_id=SESSION, message_id=reply.id, call_id=f"c{n}a", tool="read",
                     state=ToolState(status="completed", input={"file_path": "agent_tui/core/bus.py"},
                                     output="\n".join(f"{i:6d}\tline {i} of the file" for i in range(1, 60)),
                                     time_start=at + 1100, time_end=at + 1120)),
            ToolPart(id=f"{pid}_b", session_id=SESSION, message_id=reply.id, call_id=f"c{n}b", tool="bash",
                     state=ToolState(status="completed", input={"command": "pytest -q"},
                                     output="....\n4 passed in 0.2s", metadata={"exit_code": 0},
                                     time_start=at + 1200, time_end=at + 2000)),
            TextPart(id=f"{pid}_c", session_id=SESSION, message_id=reply.id,
                     text="\n\n".join(PARAGRAPHS[(n + k) % len(PARAGRAPHS)] for k in range(3)),
                     time_start=at + 2100, time_end=at + 9000),
        ]
        messages.append(MessageWithParts(info=reply, parts=parts))
    return messages


# --- apps ---------------------------------------------------------------------------------------------------


class TranscriptApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Transcript(id="transcript", clock=lambda: T0)


class NaiveApp(App[None]):
    """The baseline: one Markdown widget per message in a VerticalScroll, streaming through get_stream."""

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="log")


@dataclass
class Result:
    cpu: float
    wall: float

    @property
    def percent(self) -> float:
        return 100 * self.cpu / self.wall if self.wall else 0.0


async def measured(body: Callable[[], Awaitable[None]]) -> Result:
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await body()
    return Result(time.process_time() - cpu0, time.perf_counter() - wall0)


async def stream_transcript(events: list[object], pace: float, preload: list[MessageWithParts] | None = None) -> Result:
    app = TranscriptApp()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        if preload:
            log.load(preload)
        await pilot.pause()

        async def body() -> None:
            for event in events:
                log.apply(event)
                await asyncio.sleep(pace)
            for _ in range(500):  # the last frame and the final whole-message render
                if log.settled:
                    break
                await asyncio.sleep(0.01)
            await pilot.pause()

        result = await measured(body)
        return result


async def stream_naive(events: list[object], pace: float) -> Result:
    app = NaiveApp()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one("#log", VerticalScroll)
        log.anchor()
        await pilot.pause()

        async def body() -> None:
            markdown = Markdown()
            await log.mount(markdown)
            stream = Markdown.get_stream(markdown)
            for event in events:
                if isinstance(event, PartDelta):
                    await stream.write(event.delta)
                await asyncio.sleep(pace)
            await stream.stop()
            await pilot.pause(0.1)

        return await measured(body)


async def load_transcript(messages: list[MessageWithParts]) -> Result:
    app = TranscriptApp()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Transcript)
        await pilot.pause()

        async def body() -> None:
            log.load(messages)
            await pilot.pause()  # until the first frame with the history is painted

        return await measured(body)


async def load_naive(messages: list[MessageWithParts]) -> Result:
    app = NaiveApp()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one("#log", VerticalScroll)
        await pilot.pause()

        async def body() -> None:
            widgets = [
                Static(m.text()) if m.info.role == "user" else Markdown(m.text()) for m in messages
            ]
            await log.mount_all(widgets)
            log.scroll_end(animate=False)
            await pilot.pause()

        return await measured(body)


async def traced_peak(run: Callable[[], Awaitable[Result]]) -> float:
    """MB allocated at the peak of `run` (tracemalloc; the app's baseline before the load is included)."""
    gc.collect()
    tracemalloc.start()
    try:
        await run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


async def main(quick: bool) -> None:
    text = reply_text(3000)
    chunk_count = 3000
    events, _ = stream_events(text, chunk_count)
    paced_chunks = 600 if quick else 1000
    paced_events, _ = stream_events(text[: len(text) * paced_chunks // chunk_count], paced_chunks)
    sessions = history(1000)
    baseline_count = 200
    print(f"3,000-token reply: {len(text):,} characters in {chunk_count:,} chunks; history: {len(sessions)} messages")
    print(f"Python {sys.version.split()[0]}, headless run_test at {SIZE[0]}×{SIZE[1]}\n")

    rows: list[tuple[str, str, str]] = []

    full = await stream_transcript(events, 0)
    naive_full = await stream_naive(events, 0)
    rows.append(("reply, full speed: CPU s (wall s)", f"{full.cpu:.2f} ({full.wall:.2f})",
                 f"{naive_full.cpu:.2f} ({naive_full.wall:.2f})"))

    paced = await stream_transcript(events if not quick else paced_events, 0.005)
    naive_paced = await stream_naive(paced_events, 0.005)
    rows.append(("reply at 5 ms/chunk: CPU % of a core",
                 f"{paced.percent:.1f} % ({paced.cpu:.2f} s / {paced.wall:.1f} s)",
                 f"{naive_paced.percent:.1f} % ({naive_paced.cpu:.2f} s / {naive_paced.wall:.1f} s)*"))

    opened = await load_transcript(sessions)
    naive_open = await load_naive(sessions[:baseline_count])
    factor = len(sessions) / baseline_count
    rows.append(("open 1,000 messages: s to first frame", f"{opened.wall:.3f} (CPU {opened.cpu:.3f})",
                 f"{naive_open.wall * factor:.1f} (200 measured: {naive_open.wall:.2f})†"))

    memory = await traced_peak(lambda: load_transcript(sessions))
    naive_memory = await traced_peak(lambda: load_naive(sessions[:baseline_count]))
    rows.append(("open 1,000 messages: MB (tracemalloc peak)", f"{memory:.0f}",
                 f"{naive_memory * factor:.0f} (200 measured: {naive_memory:.0f})†"))

    after = await stream_transcript(events, 0, preload=sessions)
    rows.append(("reply, full speed, after 1,000 messages", f"{after.cpu:.2f} ({after.wall:.2f})", "—"))

    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'Transcript':<32}  naive Markdown widgets")
    for label, ours, naive in rows:
        print(f"{label:{width}}  {ours:<32}  {naive}")
    print(f"\n* baseline paced over the first {paced_chunks} chunks only (CPU % is a rate, so it compares).")
    print(f"† baseline mounts {baseline_count} messages; times and memory multiplied by {factor:.0f} (linear).")
    print("Targets: ≤ 0.4 s CPU full speed · ≤ 15 % of a core paced · open in < 0.5 s.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter paced runs")
    asyncio.run(main(parser.parse_args().quick))
