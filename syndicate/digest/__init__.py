"""Digest stage: briefs + a subscriber in, rendered messages (text + HTML + headers) out.

- `cadence`: when a cadence is due and the digest's key;
- `select`: which briefs a subscriber is owed (`make`);
- `render`: the message (`render`, `Composer` for many recipients, `confirmation`);
- `mime`: header fields and bodies to RFC 5322 bytes;
- `letterhead`: what every message shares, and DKIM signing.
"""

from __future__ import annotations

from syndicate.digest.cadence import key, slot
from syndicate.digest.letterhead import Letterhead, Links, Signer, header_text
from syndicate.digest.render import Body, Composer, confirmation, render, subject
from syndicate.digest.select import Owed, make, matches

__all__ = [
    "Body",
    "Composer",
    "Letterhead",
    "Links",
    "Owed",
    "Signer",
    "confirmation",
    "header_text",
    "key",
    "make",
    "matches",
    "render",
    "slot",
    "subject",
]
