"""The fetch stage: URL + cache validators → `Fetched`, politely (see client.py).

The only package that imports httpx. Public: `Fetcher` (async context manager; `get`,
`post_form`), `Chat` (one model endpoint, see chat.py), `next_poll` (when to poll a source
next), the Accept headers.
"""

from __future__ import annotations

from syndicate.fetch.chat import Answer, Chat, Transport
from syndicate.fetch.client import FEED_ACCEPT, PAGE_ACCEPT, Fetcher
from syndicate.fetch.timing import fresh_until, next_poll, retry_at

__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "Answer",
    "Chat",
    "Fetcher",
    "Transport",
    "fresh_until",
    "next_poll",
    "retry_at",
]
