"""Assembling a message: header fields and two bodies in, RFC 5322 bytes out.

The stdlib `email` package builds and re-parses every header on the way, which costs more
than everything else in a digest; here every value is already one clean line (see
`letterhead.header_text`), so the message is written directly: headers (RFC 2047 encoded
words only where a value is not ASCII), then a multipart/alternative body (RFC 2046
section 5.1.4) whose parts are quoted-printable UTF-8 (RFC 2045 section 6.7), plain text
first and HTML last, as clients prefer the last part they can show.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Sequence
from email.header import Header
from email.utils import formataddr, parseaddr

CRLF = "\r\n"


def encoded(value: str) -> str:
    """A header value as is when ASCII, else as RFC 2047 encoded words."""
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=998).encode(linesep=CRLF)


def mailbox(name: str | None, address: str) -> str:
    """`Name <address>` (quoted or encoded as needed), or the bare address."""
    return formataddr((name or "", address), charset="utf-8")


def named(value: str) -> str:
    """A `Name <address>` value from config, re-formed so the name is safely quoted."""
    name, address = parseaddr(value)
    return mailbox(name, address) if address else encoded(value)


def _qp(text: str) -> str:
    # b2a_qp escapes '=', trailing white space and non-ASCII, and wraps at 76 columns.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    data = binascii.b2a_qp(lines, quotetabs=False, istext=True, header=False)
    return data.decode("ascii").replace("\n", CRLF)


def assemble(headers: Sequence[tuple[str, str]], text: str, html: str, seed: str) -> bytes:
    """The whole message. `seed` makes the MIME boundary, so a rebuild is byte-identical."""
    # "=_" cannot occur in quoted-printable output, so the boundary never collides
    # (RFC 2045 section 6.7 note 8).
    boundary = "=_syn_" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24]
    out = [f"{name}: {value}" for name, value in headers]
    out += [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        _qp(text),
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        _qp(html),
        f"--{boundary}--",
        "",
    ]
    return CRLF.join(out).encode("ascii")
