"""Outgoing HTTP for tools that fetch what a model asks for: private networks are refused at connect time.

A model can be steered (a prompt injection in a file it read) into fetching `http://169.254.169.254/` (cloud
credentials), `http://127.0.0.1:…` (local services) or a public URL that redirects there. So every TCP
connection is checked where it is made: the host is resolved here, every address it resolves to must be public,
and the connection goes to one of exactly those checked addresses (never resolved again), so neither a redirect
nor DNS rebinding reaches a private address. Numeric forms (`2130706433`, `0x7f.1`, `0177.0.0.1`) resolve like
any host and are caught by the same check; IPv4-mapped, 6to4 and NAT64 IPv6 addresses are judged by the IPv4
address they carry. Environment proxies are not used: through a proxy the connected address would be the
proxy's and the check would mean nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
ALLOW_HINT = 'set "webfetch": {"allow_private": true} in the config to allow private addresses'


class BlockedAddress(Exception):
    """A connection to a non-public address was refused. The message is for the model and the user."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        shown = host if host == address else f"{host} ({address})"
        super().__init__(f"{shown} is {reason}; fetching it is refused ({ALLOW_HINT}).")
        self.host = host
        self.address = address


def blocked_reason(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = blocked_reason(embedded)
            return f"{inner} (as the IPv6 address {ip})" if inner else None
        if ip.is_site_local:
            return "a site-local address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (where cloud metadata services live)"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_private, "a private-network address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _parse(address: str) -> IPAddress:
    return ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (`fe80::1%eth0`)


async def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses `host` resolves to, all checked; raises BlockedAddress if any of them is not public."""
    host = host.strip("[]")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not allow_private:
        # Every answer, not only the first: a rebinding server mixes public and private ones.
        for address in addresses:
            reason = blocked_reason(_parse(address))
            if reason:
                raise BlockedAddress(host, address, reason)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the check above in front of every TCP connection."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()
        self.connected: list[str] = []  # addresses actually connected to, in order (for tests and logs)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, allow_private=self.allow_private)
        error: Exception | None = None
        for address in addresses:  # an IP string: the inner backend connects without resolving again
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            self.connected.append(address)
            return stream
        raise error or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(path, path, "a local socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport whose connections all go through `GuardedBackend` (no proxy, no unix sockets)."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        self.backend = GuardedBackend(allow_private=allow_private)
        # httpx does not expose the network backend; this is the pool it would build, with ours in it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=self.backend
        )
