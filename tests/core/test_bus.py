"""The event bus: sync and async handlers, unsubscribe, failing subscribers, subclass subscription."""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings

import pytest

from agent_tui.core.bus import Bus
from agent_tui.core.events import (
    Event,
    FileChanged,
    MessageUpdated,
    PartDelta,
    PartUpdated,
    SessionDeleted,
    SessionIdle,
    SessionUpdated,
)
from agent_tui.core.models import Session, TextPart, UserMessage


def idle(session_id: str = "ses_1") -> SessionIdle:
    return SessionIdle(session_id=session_id)


def test_sync_handlers_receive_events_of_their_type_in_subscription_order() -> None:
    bus = Bus()
    seen: list[tuple[str, Event]] = []
    bus.subscribe(SessionIdle, lambda e: seen.append(("first", e)))
    bus.subscribe(SessionIdle, lambda e: seen.append(("second", e)))
    bus.subscribe(SessionDeleted, lambda e: seen.append(("deleted", e)))

    event = idle()
    bus.publish(event)
    assert seen == [("first", event), ("second", event)]

    gone = SessionDeleted(session_id="ses_1")
    bus.publish(gone)
    assert seen[-1] == ("deleted", gone)


async def test_async_handlers_run_on_the_loop() -> None:
    bus = Bus()
    seen: list[Event] = []

    async def handler(event: SessionIdle) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    bus.subscribe(SessionIdle, handler)
    event = idle()
    bus.publish(event)
    await bus.drain()
    assert seen == [event]


async def test_sync_and_async_handlers_together() -> None:
    bus = Bus()
    seen: list[str] = []

    async def later(event: Event) -> None:
        seen.append("async")

    bus.subscribe(SessionIdle, later)
    bus.subscribe(SessionIdle, lambda e: seen.append("sync"))
    bus.publish(idle())
    assert seen == ["sync"]  # the async one is scheduled, not run inline
    await bus.drain()
    assert sorted(seen) == ["async", "sync"]


def test_unsubscribe_by_returned_function_and_by_method() -> None:
    bus = Bus()
    seen: list[str] = []

    def a(event: Event) -> None:
        seen.append("a")

    def b(event: Event) -> None:
        seen.append("b")

    stop_a = bus.subscribe(SessionIdle, a)
    bus.subscribe(SessionIdle, b)
    bus.publish(idle())
    stop_a()
    bus.publish(idle())
    bus.unsubscribe(SessionIdle, b)
    bus.publish(idle())
    assert seen == ["a", "b", "b"]
    # Unsubscribing twice, or something never subscribed, is harmless.
    stop_a()
    bus.unsubscribe(FileChanged, b)


def test_a_handler_may_unsubscribe_itself_while_being_delivered() -> None:
    bus = Bus()
    seen: list[str] = []
    stop: list = []

    def once(event: Event) -> None:
        seen.append("once")
        stop[0]()

    stop.append(bus.subscribe(SessionIdle, once))
    bus.subscribe(SessionIdle, lambda e: seen.append("always"))
    bus.publish(idle())
    bus.publish(idle())
    assert seen == ["once", "always", "always"]


def test_a_failing_sync_subscriber_never_stops_delivery(caplog: pytest.LogCaptureFixture) -> None:
    bus = Bus()
    seen: list[str] = []

    def broken(event: Event) -> None:
        raise ValueError("subscriber bug")

    bus.subscribe(SessionIdle, lambda e: seen.append("before"))
    bus.subscribe(SessionIdle, broken)
    bus.subscribe(SessionIdle, lambda e: seen.append("after"))
    bus.subscribe(Event, lambda e: seen.append("catch-all"))

    with caplog.at_level(logging.ERROR, logger="agent_tui.core.bus"):
        bus.publish(idle())
        bus.publish(idle())
    assert seen == ["before", "after", "catch-all"] * 2
    assert "subscriber bug" in caplog.text


async def test_a_failing_async_subscriber_never_stops_delivery(caplog: pytest.LogCaptureFixture) -> None:
    bus = Bus()
    seen: list[str] = []

    async def broken(event: Event) -> None:
        raise ValueError("async subscriber bug")

    async def fine(event: Event) -> None:
        seen.append("async")

    bus.subscribe(SessionIdle, broken)
    bus.subscribe(SessionIdle, fine)
    bus.subscribe(SessionIdle, lambda e: seen.append("sync"))
    with caplog.at_level(logging.ERROR, logger="agent_tui.core.bus"):
        bus.publish(idle())
        await bus.drain()
    assert sorted(seen) == ["async", "sync"]
    assert "async subscriber bug" in caplog.text


def test_subclass_subscription() -> None:
    class ToolEvent(Event):
        tool: str

    class ToolStarted(ToolEvent):
        pass

    bus = Bus()
    every: list[Event] = []
    tools: list[Event] = []
    started: list[Event] = []
    bus.subscribe_all(every.append)
    bus.subscribe(ToolEvent, tools.append)
    bus.subscribe(ToolStarted, started.append)

    base, sub, other = ToolEvent(tool="read"), ToolStarted(tool="bash"), idle()
    for event in (base, sub, other):
        bus.publish(event)
    assert every == [base, sub, other]
    assert tools == [base, sub]
    assert started == [sub]


def test_async_handler_published_without_a_running_loop_is_dropped_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = Bus()
    seen: list[str] = []

    async def needs_loop(event: Event) -> None:
        seen.append("async")

    bus.subscribe(SessionIdle, needs_loop)
    bus.subscribe(SessionIdle, lambda e: seen.append("sync"))

    errors: list[BaseException] = []

    def from_a_thread() -> None:
        try:
            bus.publish(idle())
        except BaseException as exc:
            errors.append(exc)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine was never awaited" left behind
        with caplog.at_level(logging.ERROR, logger="agent_tui.core.bus"):
            thread = threading.Thread(target=from_a_thread)
            thread.start()
            thread.join()
            bus.publish(idle())  # and from this thread, which has no running loop either
    assert errors == []
    assert seen == ["sync", "sync"]
    assert "no running event loop" in caplog.text


def test_events_carry_their_records() -> None:
    bus = Bus()
    seen: list[Event] = []
    bus.subscribe_all(seen.append)
    session = Session(project_id="prj", directory="/w")
    message = UserMessage(session_id=session.id)
    part = TextPart(session_id=session.id, message_id=message.id, text="Hel")
    bus.publish(SessionUpdated(session=session))
    bus.publish(MessageUpdated(message=message))
    bus.publish(PartUpdated(part=part))
    bus.publish(PartDelta(session_id=session.id, message_id=message.id, part_id=part.id, part_type="text",
                          delta="lo", offset=3))
    assert [e.name for e in seen] == ["session.updated", "message.updated", "part.updated", "part.delta"]
    whole, delta = seen[-2:]
    assert isinstance(whole, PartUpdated) and whole.part.text == "Hel"
    assert isinstance(delta, PartDelta) and (delta.delta, delta.offset, delta.part_id) == ("lo", 3, part.id)


def test_handlers_added_or_removed_after_a_publish_are_heard_from_the_next_one() -> None:
    # Handlers are looked up once per event class and kept: a change of subscribers must still take effect.
    bus = Bus()
    heard: list[str] = []
    bus.publish(SessionIdle(session_id="s0"))
    unsubscribe = bus.subscribe(SessionIdle, lambda e: heard.append(f"idle:{e.session_id}"))
    bus.subscribe_all(lambda e: heard.append(f"all:{e.name}"))
    bus.publish(SessionIdle(session_id="s1"))
    unsubscribe()
    bus.publish(SessionIdle(session_id="s2"))
    assert heard == ["idle:s1", "all:session.idle", "all:session.idle"]
