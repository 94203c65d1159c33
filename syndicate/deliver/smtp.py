"""The SMTP transport: a `Message` in, the relay's reply out, over pooled connections.

Connections are opened on demand up to `pool_size` and reused for many messages; a shared
pace keeps the whole pool under `rate` messages per second. Replies map onto the error tree
by their first digit (RFC 5321 section 4.2.1): 4yz is transient (`TemporaryFailure`), 5yz is
permanent (`PermanentFailure`). A dropped connection, a refused connect or a timeout is
transient too.

The message goes out as its bytes are: `wire` checks with C-level counts that they are
already CRLF lines (skipped for a message that says so: the digest stage writes them so),
then doubles the dots that start lines (RFC 5321 section 4.5.2). aiosmtplib's `sendmail`
would run two regular expressions over every byte of every message for that, half the cost
of sending a digest; aiosmtplib still makes the connection (TLS, AUTH, EHLO) and reads the
replies, and quotes any address that is not a plain one.
"""

from __future__ import annotations

import asyncio
import re
import threading
import weakref
from typing import Literal

import aiosmtplib

from syndicate.errors import DeliveryError, PermanentFailure, TemporaryFailure
from syndicate.model import Message

Security = Literal["none", "starttls", "tls"]

_LINE_END = re.compile(rb"\r\n|\r|\n")


def wire(data: bytes, crlf: bool = False) -> bytes:
    """The DATA payload for `data`: CRLF line ends, dot-stuffed, ending with CRLF "." CRLF.
    `crlf`: the caller vouches that every line already ends in CRLF (the check is skipped)."""
    if not crlf:
        ends = data.count(b"\r\n")
        if data.count(b"\r") != ends or data.count(b"\n") != ends:
            data = _LINE_END.sub(b"\r\n", data)  # lone CR or LF: rare, so the slow way
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    if data.startswith(b"."):
        data = b"." + data
    return data.replace(b"\r\n.", b"\r\n..") + b".\r\n"


# An address as subscribe forms take it (dot-atom local part, plain domain): sent as
# <address> without aiosmtplib's parse of it, which cost as much as a message's whole DATA
# bookkeeping; anything else (quoted local parts, non-ASCII) goes through aiosmtplib.
_PLAIN = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


async def _envelope(
    client: aiosmtplib.SMTP,
    verb: bytes,
    prefix: bytes,
    address: str,
    options: list[str],
    ok: tuple[int, ...],
) -> None:
    """MAIL FROM or RCPT TO for one address; the refusal as aiosmtplib raises it."""
    if not _PLAIN.fullmatch(address):
        if verb == b"MAIL":
            await client.mail(address, options=options)
        else:
            await client.rcpt(address, options=options)
        return
    extra = [o.encode("ascii") for o in options]
    reply = await client.execute_command(verb, prefix + b"<" + address.encode() + b">", *extra)
    if reply.code not in ok:
        refused = (
            aiosmtplib.SMTPSenderRefused if verb == b"MAIL" else aiosmtplib.SMTPRecipientRefused
        )
        raise refused(reply.code, reply.message, address)


async def _transaction(client: aiosmtplib.SMTP, message: Message) -> str:
    """MAIL, RCPT and DATA for one message on an open connection; the DATA reply."""
    payload = wire(message.data, message.crlf)
    options = [f"SIZE={len(payload) - 3}"] if client.supports_extension("size") else []
    await _envelope(client, b"MAIL", b"FROM:", message.sender, options, (250,))
    await _envelope(client, b"RCPT", b"TO:", message.recipient, [], (250, 251))
    started = await client.execute_command(b"DATA")
    if started.code != 354:
        raise aiosmtplib.SMTPDataError(started.code, started.message)
    if client.protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    client.protocol.write(payload)
    reply = await client.protocol.read_response(timeout=client.timeout)
    if reply.code != 250:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)
    return reply.message


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
        try:
            if client.is_ehlo_or_helo_needed:  # connect greets only to start TLS or log in
                try:
                    await client.ehlo()  # so the extensions (SIZE) are known before MAIL
                except aiosmtplib.SMTPHeloError:
                    await client.helo()
        except BaseException:
            client.close()  # the caller never holds it, so nobody else would
            raise
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
            reply = await _transaction(client, message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            # A refusal of this message (its size, sender or recipient) leaves the
            # connection good: RSET and keep it, so the next message does not pay a new
            # connection and the relay is not cut off mid-session. 421 means it is closing.
            refused = isinstance(e, aiosmtplib.SMTPResponseException) and e.code != 421
            if refused and client is not None and await _reset(client):
                pool.idle.append(client)
                raise _failure(e, self.where) from e
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


async def _reset(client: aiosmtplib.SMTP) -> bool:
    """RSET after a refused transaction; whether the connection is fit for another."""
    if not client.is_connected:
        return False
    try:
        reply = await client.execute_command(b"RSET")
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        return False
    return reply.code == 250


async def _drop(client: aiosmtplib.SMTP | None) -> None:
    if client is not None and client.is_connected:
        client.close()
