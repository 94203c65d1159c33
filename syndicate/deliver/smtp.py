"""The SMTP transport: a `Message` in, the relay's reply out, over pooled connections.

Connections are opened on demand up to `pool_size` and reused for many messages; a shared
pace keeps the whole pool under `rate` messages per second. Replies map onto the error tree
by their first digit (RFC 5321 section 4.2.1): 4yz is transient (`TemporaryFailure`), 5yz is
permanent (`PermanentFailure`). A dropped connection, a refused connect or a timeout is
transient too.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Literal

import aiosmtplib

from syndicate.errors import DeliveryError, PermanentFailure, TemporaryFailure
from syndicate.model import Message

Security = Literal["none", "starttls", "tls"]


class Pace:
    """At most `rate` starts per second, shared by every connection of the pool."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next message may start."""
        async with self._lock:
            now = asyncio.get_running_loop().time()
            if self._next > now:
                await asyncio.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


def _failure(exc: Exception, where: str) -> DeliveryError:
    """The error-tree member for an aiosmtplib or socket exception."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 400:
        text = " ".join(exc.message.split())
        kind = PermanentFailure if exc.code >= 500 else TemporaryFailure
        return kind(f"deliver: {where} replied {exc.code} {text}", exc.code)
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return TemporaryFailure(f"deliver: {where}: {detail}")


class _Pool:
    """One event loop's connections, their limit and the pace."""

    def __init__(self, size: int, rate: float) -> None:
        self.slots = asyncio.Semaphore(size)
        self.idle: list[aiosmtplib.SMTP] = []
        self.pace = Pace(rate)


class _Stale(Exception):
    """A reused connection turned out to be closed before the message went."""


class Smtp:
    """A pool of SMTP connections to one relay."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: Security = "none",
        username: str | None = None,
        password: str | None = None,
        pool_size: int = 2,
        rate: float = 50.0,
        timeout: float = 30.0,
        ca_file: str | None = None,
    ) -> None:
        self.where = f"smtp {host}:{port}"
        self._host = host
        self._port = port
        self._security = security
        self._username = username
        self._password = password
        self._timeout = timeout
        self._ca_file = ca_file
        self._pool_size = pool_size
        self._rate = rate
        # Connections and locks belong to one event loop. A caller that runs each send in
        # its own `asyncio.run` (web worker threads) gets a pool per loop, never a shared,
        # broken one; a pool goes away with its loop.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = (
            weakref.WeakKeyDictionary()
        )
        self._guard = threading.Lock()

    def _pool(self) -> _Pool:
        loop = asyncio.get_running_loop()
        with self._guard:
            pool = self._pools.get(loop)
            if pool is None:
                pool = self._pools[loop] = _Pool(self._pool_size, self._rate)
            return pool

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            timeout=self._timeout,
            use_tls=self._security == "tls",
            # False, not None: aiosmtplib would otherwise upgrade opportunistically.
            start_tls=self._security == "starttls",
            username=self._username,
            password=self._password,
            cert_bundle=self._ca_file,
        )
        await client.connect()
        return client

    async def send(self, message: Message) -> str:
        """Send one message; the reply once the relay accepted it."""
        pool = self._pool()
        async with pool.slots:
            await pool.pace.wait()
            if pool.idle:
                try:
                    return await self._over(pool, pool.idle.pop(), message)
                except _Stale:
                    pass  # the relay closed an idle connection: one try on a fresh one
            return await self._over(pool, None, message)

    async def _over(self, pool: _Pool, client: aiosmtplib.SMTP | None, message: Message) -> str:
        reused = client is not None
        try:
            if client is None:
                client = await self._connect()
            _, reply = await client.sendmail(message.sender, [message.recipient], message.data)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            await _drop(client)
            stale = isinstance(e, aiosmtplib.SMTPServerDisconnected | ConnectionResetError)
            if reused and stale:
                raise _Stale from e
            raise _failure(e, self.where) from e
        pool.idle.append(client)
        return " ".join(reply.split())

    async def close(self) -> None:
        """QUIT every idle connection of the running loop's pool."""
        pool = self._pool()
        idle, pool.idle = pool.idle, []
        for client in idle:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


async def _drop(client: aiosmtplib.SMTP | None) -> None:
    if client is not None and client.is_connected:
        client.close()
