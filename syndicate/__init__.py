"""syndicate: faithful briefs of official DHS releases, as feeds and email digests."""

from __future__ import annotations

__version__ = "0.1.0"
