"""Who may drive the served app: the page and its websocket must come from the address the browser used.

textual-serve checks neither the Host nor the Origin of a request. Without these checks any web page the user
visits could open `ws://127.0.0.1:PORT/ws` and type into the agent (cross-site websocket hijacking), and a
hostile DNS name resolving to 127.0.0.1 could load the page itself (DNS rebinding). So:

- bound to a loopback address, the Host header must name the loopback (`127.0.0.1`, `localhost`, `[::1]`);
- the websocket's Origin must be the very host and port the page was loaded from (its Host header).

The page builds its websocket URL from the server's `public_url`; it is set from each page request's own
address, so the page's origin and its websocket's host always agree.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(netloc: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`, `[::1]:8000` -> `::1`."""
    parsed = urlsplit(f"//{netloc}")
    return (parsed.hostname or "").lower()


def refusal(request: web.Request, *, loopback_only: bool) -> str | None:
    """Why `request` is refused, or None."""
    host = request.headers.get("Host", "")
    if loopback_only and not is_loopback(host_name(host)):
        return f"Host {host!r} is not this machine's loopback address"
    if request.path == "/ws":
        origin = request.headers.get("Origin")
        if origin is None:
            return "a websocket without an Origin"
        if urlsplit(origin).netloc.lower() != host.lower():
            return f"a websocket from {origin!r} for a page served as {host!r}"
    return None


def guard(loopback_only: bool, set_public_url: Callable[[str], None]) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = refusal(request, loopback_only=loopback_only)
        if reason is not None:
            log.warning("serve: refused %s %s: %s", request.method, request.path, reason)
            raise web.HTTPForbidden(text=f"Refused: {reason}.\n")
        if request.path == "/":
            # The page's websocket and static URLs are built from this, synchronously, by the handler.
            set_public_url(f"{request.scheme}://{request.host}")
        return await handler(request)

    return middleware
