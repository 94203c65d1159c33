"""Where a fetch may connect: a host name in, the public addresses it resolves to out.

A feed or a release page can redirect anywhere, and a source's own URL can name any host:
without a check, `302 Location: http://169.254.169.254/latest/meta-data/` would publish a
cloud instance's credentials and `http://127.0.0.1:5432/` would probe the operator's own
services (server-side request forgery). So every connection is checked after DNS
resolution, whatever spelling the URL used (`http://2130706433/`, `http://0x7f.1/`,
`http://[::ffff:127.0.0.1]/` all resolve to loopback), and only public (globally routable)
unicast addresses are dialled. The check sits in the connection itself (`Guard`, an httpcore
network backend), so the address checked is the address connected to: a name that resolves
to a public address for the check and a private one for the connection (DNS rebinding)
cannot slip through. `fetch.allow_private = true` turns it off, for tests and the demo,
which serve their sources from 127.0.0.1; `fetch.allow_networks` lets named networks
through while the rest stays refused (an internal mirror; the tests' "public" hosts).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable

import httpcore
import httpx

from syndicate.errors import RefusedAddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# RFC 6052 section 2.1: the NAT64 well-known prefix carries an IPv4 address in its low bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _kind(ip: Address) -> str | None:
    """Why an address is not public ("loopback", "private", ...), or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return _kind(embedded)
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if not ip.is_global:
        return "reserved"  # shared (100.64/10), documentation, benchmarking ranges...
    return None


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Parsed `fetch.allow_networks` entries."""
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


def refusal(ip: Address, allowed: tuple[Network, ...] = ()) -> str | None:
    """The reason a fetch may not connect to `ip`, or None when it may."""
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    return _kind(ip)


def literal(host: str) -> Address | None:
    """The address a URL's host names when it is an address literal, in any spelling
    `inet_aton` accepts (`2130706433`, `0x7f.1`, `127.1`, `017700000001`), else None."""
    name = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    if name and all(c in "0123456789abcdefxABCDEFX." for c in name):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return None
    return None


def message(host: str, ip: Address, why: str) -> str:
    """The one wording of a refusal (the operator greps for it)."""
    shown = host if host == str(ip) else f"{host} ({ip})"
    return (
        f"fetch: refused private address {shown}: {why}; only public addresses are "
        "fetched (fetch.allow_private = true allows this)"
    )


def check_literal(host: str, allowed: tuple[Network, ...] = ()) -> None:
    """Refuse a URL whose host is a non-public address literal, before any connection."""
    ip = literal(host)
    if ip is not None and (why := refusal(ip, allowed)) is not None:
        raise RefusedAddress(message(host, ip, why))


async def resolve(host: str, port: int, timeout: float | None) -> list[Address]:
    """Every address `host` resolves to, in the resolver's order."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
    except OSError as e:
        raise httpcore.ConnectError(f"cannot resolve {host}: {e.strerror or e}") from None
    return _unique(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found)


def _unique(addresses: Iterable[Address]) -> list[Address]:
    return list(dict.fromkeys(addresses))


class Guard(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that dials only the public addresses a name resolves to."""

    def __init__(
        self, allowed: tuple[Network, ...] = (), inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.allowed = allowed
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, timeout)
        public = [ip for ip in addresses if refusal(ip, self.allowed) is None]
        if not public:
            ip = addresses[0]
            raise RefusedAddress(message(host, ip, refusal(ip, self.allowed) or "not public"))
        failure: Exception | None = None
        for ip in public:  # a name with several public addresses: try each, like a browser
            try:
                return await self.inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                failure = e
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress(f"fetch: refused a Unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class Transport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool dialling through `Guard`."""

    def __init__(
        self, ssl_context: ssl.SSLContext, limits: httpx.Limits, allowed: tuple[Network, ...]
    ) -> None:
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx has no parameter for the network backend; the pool it built is replaced
        # with the same one dialling through the guard (the test of redirects to
        # 127.0.0.1 fails if an httpx upgrade stops honouring this).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=Guard(allowed),
        )
