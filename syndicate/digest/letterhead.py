"""What every message from the service shares: sender, list identity, links, signing key.

Input: the config. Output: a frozen `Letterhead` and the per-subscriber `Links`, so
rendering itself needs no config and no file access.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cached_property
from zoneinfo import ZoneInfo

import dkim

from syndicate.config import Config
from syndicate.errors import ConfigError

# RFC 8058 section 4: the signature must cover both List-Unsubscribe headers, so a relay
# cannot swap the one-click target.
SIGNED = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
)

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_text(value: str, limit: int = 300) -> str:
    """A value safe for one header line: no CR, LF or other control characters."""
    return " ".join(_UNSAFE.sub(" ", value).split())[:limit]


@dataclass(frozen=True)
class Signer:
    """DKIM signing (RFC 6376) with one key, selector and domain."""

    selector: str
    domain: str
    key: bytes

    def sign(self, data: bytes) -> bytes:
        """The message with its DKIM-Signature header prepended."""
        signature = dkim.sign(
            data,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.key,
            include_headers=list(SIGNED),
            linesep=b"\r\n",  # the message's own line ends, so it stays CRLF throughout
        )
        return bytes(signature) + data


@dataclass(frozen=True)
class Letterhead:
    """The service-wide parts of every message."""

    name: str
    sender: str
    list_id: str
    base_url: str
    zone: ZoneInfo
    subject: str = "DHS Briefs: {count} new release{s}, {date}"
    subject_immediate: str = "{agency}: {title}"
    unsubscribe_mailto: str = ""
    order: str = "newest"  # "agency": briefs grouped under agency headings
    signer: Signer | None = None

    @cached_property
    def envelope_from(self) -> str:
        """The bare address of `sender`, for MAIL FROM."""
        return parseaddr(self.sender)[1]

    @cached_property
    def domain(self) -> str:
        return self.envelope_from.rpartition("@")[2] or "localhost"

    def message_id(self, key: str, subscriber_id: int) -> str:
        """The same Message-ID for the same digest and recipient, whenever it is rendered."""
        digest = hashlib.sha256(f"{key}\x00{subscriber_id}".encode()).hexdigest()[:32]
        return f"<{digest}.{subscriber_id}@{self.domain}>"

    @classmethod
    def from_config(cls, config: Config) -> Letterhead:
        """Build from config, reading the DKIM key file when `[mail.dkim]` is set."""
        mail = config.mail
        if not parseaddr(mail.sender)[1]:
            raise ConfigError(f"config: mail.from = {mail.sender!r}: expected an address")
        signer = None
        if mail.dkim is not None:
            path = config.path(mail.dkim.key_file)
            try:
                key = path.read_bytes()
            except OSError as e:
                raise ConfigError(f"config: mail.dkim.key_file: cannot read {path}: {e}") from None
            signer = Signer(mail.dkim.selector, mail.dkim.domain, key)
        return cls(
            name=config.service.name,
            sender=header_text(mail.sender),
            list_id=header_text(mail.list_id),
            base_url=config.service.base_url.rstrip("/"),
            zone=config.zone,
            subject=config.digests.subject,
            subject_immediate=config.digests.subject_immediate,
            unsubscribe_mailto=mail.unsubscribe_mailto,
            order=config.digests.order,
            signer=signer,
        )


@dataclass(frozen=True)
class Links:
    """One subscriber's signed links (made by the pipeline with `syndicate.tokens`)."""

    unsubscribe: str
    preferences: str
    unsubscribe_token: str = ""
