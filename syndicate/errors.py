"""The exception tree. Every error syndicate raises on purpose is a `SyndicateError`.

    SyndicateError
    ├── ConfigError          config.toml is wrong: names the key, the value, what is expected
    ├── FetchError           fetch: network failure, bad status, size cap, deadline
    │   ├── TooLarge         fetch: body over the size cap (counted after decoding)
    │   ├── Deadline         fetch: the whole fetch (every redirect) took longer than allowed
    │   ├── RefusedAddress   fetch: a URL or redirect leads to a loopback/private address
    │   ├── Throttled        fetch: 429/503 with Retry-After; carries when to come back
    │   └── ChatError        chat: the model endpoint timed out, refused, erred or answered junk
    ├── ParseError           parse: not a feed, empty, entity declarations, no items found
    ├── ExtractError         extract: no usable body in a page
    ├── BriefError           brief: no brief can be made, or it failed the faithfulness check
    ├── StoreError           store: the database is unreachable or refused a write
    ├── PublishError         publish: a feed could not be written
    ├── DeliveryError        deliver: a transport refused or failed a message
    │   ├── TemporaryFailure deliver: 4xx or connection error; retry later
    │   └── PermanentFailure deliver: 5xx; do not retry
    └── LockedError          another daemon holds the store

Messages start with the stage (`fetch: 503 from https://...`). Callers catch at the boundary
of one source, page or recipient, record the error, and go on.
"""

from __future__ import annotations

from datetime import datetime


class SyndicateError(Exception):
    """Root of every error syndicate raises on purpose."""


class ConfigError(SyndicateError):
    """The configuration is invalid."""


class FetchError(SyndicateError):
    """A fetch failed."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TooLarge(FetchError):
    """The response body passed the size cap."""


class Deadline(FetchError):
    """The response did not complete within its total deadline."""


class RefusedAddress(FetchError):
    """A URL or redirect leads to an address that is not public (SSRF protection)."""


class Throttled(FetchError):
    """The server asked us to come back later (429 or 503 with Retry-After)."""

    def __init__(self, message: str, status: int, retry_at: datetime | None) -> None:
        super().__init__(message, status)
        self.retry_at = retry_at


class ChatError(FetchError):
    """A Chat Completions call failed; `outcome` names how (the metric's label), and a 429
    carries when to come back (`retry_at`)."""

    def __init__(
        self,
        message: str,
        outcome: str,
        status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(message, status)
        self.outcome = outcome
        self.retry_at = retry_at


class ParseError(SyndicateError):
    """A document is not a usable feed or listing."""


class ExtractError(SyndicateError):
    """A page holds no usable article body."""


class BriefError(SyndicateError):
    """No faithful brief could be made."""


class StoreError(SyndicateError):
    """The store failed."""


class PublishError(SyndicateError):
    """A feed could not be published."""


class DeliveryError(SyndicateError):
    """A message was not delivered."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TemporaryFailure(DeliveryError):
    """The transport failed in a way worth retrying (4xx, connection error)."""


class PermanentFailure(DeliveryError):
    """The transport refused the message for good (5xx)."""


class LockedError(SyndicateError):
    """Another daemon holds the store's lock."""
