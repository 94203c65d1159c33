"""One exchange's answer: httpx's streamed response in, a `Reply` and then a `Fetched` out.

`read` takes the body off the wire within the size cap (through `body`), `Reply.fetched`
turns the final reply of a redirect chain into the `model.Fetched` the rest of syndicate
sees (validators kept across a 304, the freshness the server allows), and `words` names an
httpx error for a message.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import httpx

from syndicate.fetch import body
from syndicate.fetch.timing import fresh_until
from syndicate.model import Fetched, Validators


@dataclass(frozen=True)
class Reply:
    """What one request got back."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes

    def fetched(
        self,
        url: str,
        old: Validators | None,
        permanent: str | None,
        elapsed: float,
        now: datetime,
    ) -> Fetched:
        """The fetch's result, for the URL first asked for."""
        h = self.headers
        validators = Validators(h.get("etag"), h.get("last-modified"))
        if self.status == 304 and old is not None:
            # A 304 may omit validators; the stored ones stay valid (RFC 9111 section 4.3.4).
            validators = Validators(
                validators.etag or old.etag, validators.last_modified or old.last_modified
            )
        return Fetched(
            url=url,
            final_url=self.url,
            status=self.status,
            headers=tuple(h.multi_items()),
            body=self.body if self.status != 304 else b"",
            fetched_at=now,
            validators=validators,
            permanent_url=permanent,
            elapsed=elapsed,
            next_after=fresh_until(h.get("cache-control"), h.get("expires"), h.get("age"), now),
        )


async def read(
    response: httpx.Response, url: str, encoded: str | None, cap: int, truncate: bool
) -> bytes:
    """A response's body, decoded, within `cap` bytes (or cut there, with `truncate`)."""
    raw = response.aiter_raw()
    if response.is_stream_consumed:
        # Built in memory (MockTransport, `content=`): httpx has read and decoded it
        # already; only the cap is left to apply.
        raw, encoded = _once(response.content), None
    return await body.read(raw, encoded, cap, url, truncate=truncate)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def words(e: httpx.HTTPError) -> str:
    """`ReadTimeout` → `read timeout`, `ConnectError` → `connect error`, for messages."""
    name: str = type(e).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
