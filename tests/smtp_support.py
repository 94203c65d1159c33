"""A real SMTP server on 127.0.0.1 (aiosmtpd) for delivery tests.

`Sink` accepts mail and keeps each message's envelope and bytes. Tests can script the next
replies to DATA (`sink.reply("451 4.7.1 try later")`, or for one recipient only with
`sink.reply_to("ana@example.net", "550 ...")`, since concurrent sends arrive in any order),
stop the server (`sink.stop()`) to
play "relay down", and start it again on the same port.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from syndicate import config
from syndicate.config import Config
from syndicate.model import Brief
from syndicate.store import Store


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    data: bytes
    peer: str = ""  # the client's address and port: one per connection

    def parsed(self) -> EmailMessage:
        """The message parsed by the standard library."""
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


class _Handler:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.replies: deque[str] = deque()
        self.replies_to: dict[str, deque[str]] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # a relay that takes a moment to queue
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                scripted = self.replies_to.get(rcpt)
                if scripted:
                    return scripted.popleft()
            if self.replies:
                return self.replies.popleft()
            data = envelope.original_content or envelope.content
            peer = ":".join(str(p) for p in session.peer)
            self.messages.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(data), peer)
            )
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Sink:
    """An aiosmtpd server on 127.0.0.1 that keeps what it accepts."""

    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.handler = _Handler(delay)
        self._controller: Controller | None = None

    def start(self) -> Sink:
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, decode_data=False
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reply(self, *lines: str) -> None:
        """Answer the next DATA commands with these replies instead of accepting."""
        with self.handler.lock:
            self.handler.replies.extend(lines)

    def reply_to(self, recipient: str, *lines: str) -> None:
        """Answer the next DATA commands for `recipient` with these replies."""
        with self.handler.lock:
            self.handler.replies_to.setdefault(recipient, deque()).extend(lines)

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def by_recipient(self) -> dict[str, list[Received]]:
        found: dict[str, list[Received]] = {}
        for m in self.messages:
            for r in m.recipients:
                found.setdefault(r, []).append(m)
        return found


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    """A running SMTP sink for one test."""
    sink = Sink().start()
    try:
        yield sink
    finally:
        sink.stop()


def mail_config(
    root: Path, database_url: str, *, port: int | None = None, extra: str = ""
) -> Config:
    """A config for mail tests: SMTP to `port` when given, else the Maildir default."""
    transport = "smtp" if port else "maildir"
    text = f"""
[service]
name = "DHS Briefs"
base_url = "https://briefs.example.org"
data_dir = "data"

[database]
url = "{database_url}"

[mail]
from = "DHS Briefs <briefs@example.org>"
transport = "{transport}"
unsubscribe_mailto = "unsubscribe@example.org"
list_id = "DHS Briefs <briefs.example.org>"
retry_base = 60.0
max_attempts = 4
bounce_after = 2

[mail.smtp]
host = "127.0.0.1"
port = {port or 25}
rate = 1000.0
pool_size = 2
timeout = 5.0
{extra}
"""
    return config.parse(text, root)


def put_briefs(store: Store, *briefs: Brief) -> None:
    """Store briefs as the poller would (new ones take a seq; material edits take a new one)."""
    with store.begin() as conn:
        for b in briefs:
            store.briefs.upsert(conn, b, story=b.id)
