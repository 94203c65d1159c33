"""Raw response bytes → the decoded body, never more than the size cap in memory.

Input: the `Content-Encoding` header and the raw (still compressed) chunks as they arrive.
Output: decoded bytes, or `TooLarge` as soon as the decoded size passes the cap. We decode
ourselves, with zlib's `max_length`, because one 64 KB chunk of a gzip bomb inflates to
64 MB: a decoder that inflates whole chunks overshoots any cap before it can be checked.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from syndicate.errors import FetchError, TooLarge

# What we can decode, hence all we advertise (RFC 9110 section 12.5.3).
ACCEPT_ENCODING = "gzip, deflate"


class _Identity:
    def decode(self, data: bytes, limit: int) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _Inflate:
    """gzip (multi-member too) or deflate, inflated at most `limit + 1` bytes at a time."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        # RFC 9110 says "deflate" is the zlib format, but some servers send raw deflate.
        self._wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        while data and len(out) <= limit:
            try:
                # max_length must stay >= 1: zero would mean "no limit".
                out += self._z.decompress(data, limit + 1 - len(out))
            except zlib.error as e:
                if not self._started and not self._gzip and self._wbits > 0:
                    self._wbits = -zlib.MAX_WBITS
                    self._z = zlib.decompressobj(self._wbits)
                    continue
                raise FetchError(f"fetch: corrupt compressed body ({e})") from None
            self._started = True
            if self._z.unconsumed_tail:
                data = self._z.unconsumed_tail
            elif self._gzip and self._z.eof and self._z.unused_data:
                data = self._z.unused_data  # another gzip member follows (RFC 1952 2.2)
                self._z = zlib.decompressobj(self._wbits)
            else:
                data = b""
        return bytes(out)

    def flush(self) -> bytes:
        return self._z.flush()


def decoder(content_encoding: str | None) -> _Identity | _Inflate:
    """The decoder for a `Content-Encoding` value; FetchError for ones we did not offer."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if codings in (["gzip"], ["x-gzip"]):
        return _Inflate(gzip=True)
    if codings == ["deflate"]:
        return _Inflate(gzip=False)
    raise FetchError(f"fetch: unsupported Content-Encoding {content_encoding!r}")


async def read(
    chunks: AsyncIterator[bytes],
    content_encoding: str | None,
    max_bytes: int,
    url: str,
    *,
    truncate: bool = False,
) -> bytes:
    """Decode a streamed body, stopping with TooLarge once it passes `max_bytes` (or, with
    `truncate`, returning its first `max_bytes` bytes)."""
    inflate = decoder(content_encoding)
    body = bytearray()
    async for raw in chunks:
        room = max_bytes - len(body)
        piece = inflate.decode(raw, room)
        if len(piece) > room:
            if truncate:
                return bytes(body + piece[:room])
            raise TooLarge(f"fetch: body of {url} is over the {max_bytes:,}-byte cap")
        body += piece
    tail = inflate.flush()
    if len(body) + len(tail) > max_bytes and truncate:
        return bytes(body + tail)[:max_bytes]
    if len(body) + len(tail) > max_bytes:
        raise TooLarge(f"fetch: body of {url} is over the {max_bytes:,}-byte cap")
    body += tail
    return bytes(body)
