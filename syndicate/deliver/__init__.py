"""Delivery stage: a rendered `Message` in, the receiving server's reply out.

Transports are chosen by name from `TRANSPORTS`, a dict of factories (config section and
data directory in, `Transport` out). Every transport raises `TemporaryFailure` for what is
worth retrying (4xx, connection errors, timeouts) and `PermanentFailure` for what is not
(5xx); it returns a reply only when the message was accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from syndicate.config import MailConfig
from syndicate.deliver.maildir import Maildir
from syndicate.deliver.smtp import Smtp
from syndicate.errors import ConfigError
from syndicate.model import Message


class Transport(Protocol):
    """Where messages go. `send` returns the server's reply once the message is accepted;
    `close` releases what the running event loop holds (call it before that loop ends)."""

    async def send(self, message: Message) -> str: ...

    async def close(self) -> None: ...


Factory = Callable[[MailConfig, Path], Transport]


def _maildir(mail: MailConfig, data_dir: Path) -> Transport:
    return Maildir(_path(mail.maildir, data_dir))


def _path(value: str, data_dir: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else data_dir / path


def _smtp(mail: MailConfig, data_dir: Path) -> Transport:
    s = mail.smtp
    if s.password_env and s.password() is None:
        raise ConfigError(f"config: mail.smtp.password_env: ${s.password_env} is not set")
    return Smtp(
        host=s.host,
        port=s.port,
        security=s.security,
        username=s.username or None,
        password=s.password(),
        pool_size=s.pool_size,
        rate=s.rate,
        timeout=s.timeout,
        ca_file=str(_path(s.ca_file, data_dir)) if s.ca_file else None,
    )


TRANSPORTS: dict[str, Factory] = {"maildir": _maildir, "smtp": _smtp}


def transport(mail: MailConfig, data_dir: Path) -> Transport:
    """The transport `mail.transport` names, built from its config."""
    try:
        factory = TRANSPORTS[mail.transport]
    except KeyError:
        known = ", ".join(sorted(TRANSPORTS))
        raise ConfigError(f"config: mail.transport = {mail.transport!r}: one of {known}") from None
    return factory(mail, data_dir)


__all__ = ["TRANSPORTS", "Maildir", "Smtp", "Transport", "transport"]
