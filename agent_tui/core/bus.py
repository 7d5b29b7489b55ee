"""Publish/subscribe for engine events.

Handlers may be plain functions (called at once, in order) or coroutine functions (scheduled as tasks on the
running loop, so publish from the loop's thread). A handler that raises is logged and never stops delivery to
the others.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from agent_tui.core.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None] | Callable[[Any], Awaitable[None]]


class Bus:
    def __init__(self) -> None:
        # Keyed by event class; `Event` itself means "every event".
        self._handlers: dict[type[Event], list[Handler]] = {}
        # Event class → its handlers in delivery order, worked out at its first publish (a streamed reply
        # publishes thousands of events a second); forgotten at each (un)subscribe.
        self._routes: dict[type[Event], tuple[Handler, ...]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[], None]:
        """Call `handler` for every published event of `event_type` (or a subclass). Returns an unsubscriber."""
        self._handlers.setdefault(event_type, []).append(handler)
        self._routes.clear()

        def unsubscribe() -> None:
            self.unsubscribe(event_type, handler)

        return unsubscribe

    def subscribe_all(self, handler: Callable[[Event], Any]) -> Callable[[], None]:
        return self.subscribe(Event, handler)

    def unsubscribe(self, event_type: type[Event], handler: Handler) -> None:
        handlers = self._handlers.get(event_type)
        if handlers and handler in handlers:
            handlers.remove(handler)
            self._routes.clear()

    def publish(self, event: Event) -> None:
        kind = type(event)
        handlers = self._routes.get(kind)
        if handlers is None:
            handlers = self._routes[kind] = tuple(
                handler for event_type, listed in self._handlers.items() if issubclass(kind, event_type)
                for handler in listed
            )
        for handler in handlers:
            self._deliver(handler, event)

    def _deliver(self, handler: Handler, event: Event) -> None:
        try:
            result = handler(event)
        except Exception:
            log.exception("bus handler %r failed on %s", handler, event.name)
            return
        if result is not None and inspect.isawaitable(result):
            self._schedule(handler, event, result)

    def _schedule(self, handler: Handler, event: Event, awaitable: Awaitable[Any]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Published from a thread without a running loop: nothing would ever run the coroutine.
            log.error("async bus handler %r dropped %s: no running event loop in this thread", handler, event.name)
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # no "never awaited" warning on top of the logged error
            return
        task = loop.create_task(self._guard(handler, event, awaitable))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guard(handler: Handler, event: Event, awaitable: Awaitable[Any]) -> None:
        try:
            await awaitable
        except Exception:
            log.exception("async bus handler %r failed on %s", handler, event.name)

    async def drain(self) -> None:
        """Wait for the async handlers scheduled so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
