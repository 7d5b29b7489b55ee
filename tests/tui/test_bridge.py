"""The bridge from the engine's bus to the app: every event arrives, in order, and a burst costs one message."""

from __future__ import annotations

from textual.app import App

from agent_tui.core.bus import Bus
from agent_tui.core.events import Event, PartDelta, SessionBusy, SessionIdle
from agent_tui.tui.bridge import EngineEvents, EventBridge, session_of


class RecordingApp(App[None]):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bridge = EventBridge(bus, self)
        self.batches: list[list[Event]] = []

    def on_mount(self) -> None:
        self.bridge.start()

    def on_engine_events(self, message: EngineEvents) -> None:
        self.batches.append(message.take())


async def test_a_burst_of_events_arrives_in_order_as_one_message() -> None:
    bus = Bus()
    app = RecordingApp(bus)
    async with app.run_test() as pilot:
        for n in range(200):  # published without yielding, as a reply streamed at full speed is
            bus.publish(SessionBusy(session_id=f"s{n}") if n % 2 else SessionIdle(session_id=f"s{n}"))
        await pilot.pause()
        assert len(app.batches) == 1
        assert [session_of(one) for one in app.batches[0]] == [f"s{n}" for n in range(200)]
        bus.publish(SessionIdle(session_id="later"))  # after a take, the next event is announced again
        await pilot.pause()
        assert [[session_of(one) for one in batch] for batch in app.batches[1:]] == [["later"]]


async def test_a_take_that_stops_early_leaves_the_rest_queued_in_order_and_unannounced() -> None:
    bus = Bus()
    app = RecordingApp(bus)
    async with app.run_test():
        app.bridge.stop()
        bridge = EventBridge(bus, app)  # taken by hand below, without yielding to the app
        bridge.start()
        for n in range(5):
            bus.publish(SessionIdle(session_id=f"s{n}"))
        first = bridge.take(stop_after=lambda event: getattr(event, "session_id", "") == "s1")
        assert [session_of(one) for one in first] == ["s0", "s1"]
        assert bridge.pending
        bus.publish(SessionIdle(session_id="s5"))  # joins the queue; the caller takes it with the rest
        rest = bridge.take()
        assert [session_of(one) for one in rest] == ["s2", "s3", "s4", "s5"]
        assert not bridge.pending


def _delta(part_id: str, text: str, offset: int) -> PartDelta:
    return PartDelta(session_id="s", message_id="m", part_id=part_id, part_type="text", delta=text, offset=offset)


async def test_consecutive_deltas_of_a_part_are_taken_as_one_and_nothing_else_is_merged() -> None:
    bus = Bus()
    app = RecordingApp(bus)
    async with app.run_test():
        app.bridge.stop()
        bridge = EventBridge(bus, app)
        bridge.start()
        words = [f"w{n} " for n in range(300)]
        offset = 0
        for word in words:  # a reply streamed at full speed: many chunks between two turns of the app's loop
            bus.publish(_delta("p1", word, offset))
            offset += len(word)
        bus.publish(SessionIdle(session_id="s"))  # something else in between ends the run
        bus.publish(_delta("p1", "more", offset))
        bus.publish(_delta("p2", "other", 0))  # another part
        bus.publish(_delta("p2", "gap", 99))  # not where the run ends: kept apart, the app decides
        taken = bridge.take()
        assert [type(e).__name__ for e in taken] == ["PartDelta", "SessionIdle", "PartDelta", "PartDelta",
                                                     "PartDelta"]
        first = taken[0]
        assert isinstance(first, PartDelta) and first.delta == "".join(words) and first.offset == 0
        assert [(e.part_id, e.delta, e.offset) for e in taken[2:] if isinstance(e, PartDelta)] == [
            ("p1", "more", offset), ("p2", "other", 0), ("p2", "gap", 99)]


class PacedApp(RecordingApp):
    def __init__(self, bus: Bus, delta_interval: float) -> None:
        super().__init__(bus)
        self.bridge = EventBridge(bus, self, delta_interval=delta_interval)


async def test_deltas_arriving_one_by_one_slower_than_the_app_drains_wake_it_once_a_frame() -> None:
    bus = Bus()
    app = PacedApp(bus, delta_interval=3600)  # the frame boundary never comes during the test
    async with app.run_test() as pilot:
        words = [f"w{n} " for n in range(100)]
        offset = 0
        for word in words:  # the app drains its queue between two chunks, as it does for a paced reply
            bus.publish(_delta("p1", word, offset))
            offset += len(word)
            await pilot.pause()
        assert len(app.batches) == 1  # the first delta wakes the app; the rest wait for the next frame
        bus.publish(SessionIdle(session_id="s"))  # anything but a delta wakes it at once, with what waited
        await pilot.pause()
        assert len(app.batches) == 2
        taken = [event for batch in app.batches for event in batch]
        assert isinstance(taken[-1], SessionIdle)
        deltas = [event for event in taken if isinstance(event, PartDelta)]
        assert "".join(delta.delta for delta in deltas) == "".join(words)


async def test_a_waiting_delta_is_delivered_at_the_next_frame_without_anything_else() -> None:
    bus = Bus()
    app = PacedApp(bus, delta_interval=0.02)
    async with app.run_test() as pilot:
        bus.publish(_delta("p1", "one ", 0))
        await pilot.pause()
        bus.publish(_delta("p1", "two", 4))  # right after a take: waits for the frame boundary
        for _ in range(200):
            if len(app.batches) == 2:
                break
            await pilot.pause(0.01)
        assert [[event.delta for event in batch if isinstance(event, PartDelta)] for batch in app.batches] == [
            ["one "], ["two"]]
