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
