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


class Template:
    """A body quoted-printable encoded once for many recipients: the lines holding none of
    `slots` are encoded here; only the few lines holding one are encoded per message. The
    encoding works line by line (a hard break ends a line), so `fill(values)` equals
    `_qp(text with the values swapped in)` byte for byte."""

    def __init__(self, text: str, slots: Sequence[str]) -> None:
        self.slots = tuple(slots)
        lines = text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)
        self.parts: list[tuple[bool, str]] = []  # (holds a slot, encoded or raw text)
        run: list[str] = []
        for line in lines:
            if any(slot in line for slot in self.slots):
                if run:
                    self.parts.append((False, _qp("".join(run))))
                    run = []
                self.parts.append((True, line))
            else:
                run.append(line)
        if run:
            self.parts.append((False, _qp("".join(run))))

    def fill(self, values: Sequence[str]) -> str:
        """The encoded body with `values[i]` in place of `slots[i]`."""
        out = []
        for dynamic, part in self.parts:
            if dynamic:
                for slot, value in zip(self.slots, values, strict=True):
                    part = part.replace(slot, value)
                part = _qp(part)
            out.append(part)
        return "".join(out)


def assemble(headers: Sequence[tuple[str, str]], text: str, html: str, seed: str) -> bytes:
    """The whole message. `seed` makes the MIME boundary, so a rebuild is byte-identical."""
    return encoded_parts(headers, _qp(text), _qp(html), seed)


def encoded_parts(
    headers: Sequence[tuple[str, str]], text_qp: str, html_qp: str, seed: str
) -> bytes:
    """`assemble` for bodies already quoted-printable encoded (see `Template`)."""
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
        text_qp,
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        html_qp,
        f"--{boundary}--",
        "",
    ]
    return CRLF.join(out).encode("ascii")
