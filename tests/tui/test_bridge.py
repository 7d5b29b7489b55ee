"""The bridge from the engine's bus to the app: every event arrives, in order, and a burst costs one message."""

from __future__ import annotations

from textual.app import App

from agent_tui.core.bus import Bus
from agent_tui.core.events import SessionBusy, SessionIdle
from agent_tui.tui.bridge import EngineEvent, EngineEvents, EventBridge


class RecordingApp(App[None]):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bridge = EventBridge(bus, self)
        self.batches: list[list[EngineEvent]] = []

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
        assert [one.session_id for one in app.batches[0]] == [f"s{n}" for n in range(200)]
        bus.publish(SessionIdle(session_id="later"))  # after a take, the next event is announced again
        await pilot.pause()
        assert [[one.session_id for one in batch] for batch in app.batches[1:]] == [["later"]]


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
        assert [one.session_id for one in first] == ["s0", "s1"]
        assert bridge.pending
        bus.publish(SessionIdle(session_id="s5"))  # joins the queue; the caller takes it with the rest
        rest = bridge.take()
        assert [one.session_id for one in rest] == ["s2", "s3", "s4", "s5"]
        assert not bridge.pending
