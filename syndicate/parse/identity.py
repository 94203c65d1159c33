"""An item's identity: the key that survives what government sites do to their releases.

Input is the items of one document (their guid, URL, title and date); output is each item's
`key`. The rule, in order:

1. the **guid**, when no other item of the same document has the same guid. A guid that is a
   URL (CISA's relative `/node/123` is first made absolute against the feed URL) is normalised
   like any URL; a UUID guid (USCIS) is lower-cased (RFC 9562 section 4: UUIDs compare
   case-insensitively); Drupal's `148203 at https://www.fema.gov` has its URL part normalised;
   any other guid is kept as written.
2. else the **normalised URL** (see `normalise_url`);
3. else **title + date**: `title:YYYY-MM-DD <title, case-folded, spaces squashed>` (the UTC
   date, or `undated`).

Items that are exact repeats (same guid, URL and title) are dropped, the first one kept, and
so is any later item that still ends up with a key already taken (a feed that repeats a guid
and a URL is announcing one release twice). Keys are plain strings; a URL key and a URL guid
of the same release are the same key, so a feed that starts duplicating guids does not
re-announce its permalink items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from syndicate.model import Item
from syndicate.text import squash

# Query parameters that only say who sent the reader; they never change what a page is.
_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "cmpid",
        "sc_cid",
        "ref_src",
    }
)
_TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_")
_DRUPAL = re.compile(r"(\d+) at (https?://\S+)", re.I)
_UUID = re.compile(r"(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.I)
_ARCHIVE = re.compile(r"^/archive(?=/news/)", re.I)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# RFC 3986 section 2.3: unreserved characters need no percent-encoding; section 6.2.2.2
# says decoding them is a safe normalisation. Everything else stays (re)encoded.
_SAFE_PATH = "/:@!$&'()*+,;=-._~"
_UNRESERVED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def normalise_url(url: str) -> str:
    """The comparable form of a URL (RFC 3986 section 6 plus what DHS sites need).

    Lower-case scheme and host, `http` read as `https`, `www.` and default ports dropped,
    percent-encoding normalised, trailing slash and fragment dropped, tracking parameters
    (utm_*, fbclid, gclid, ...) dropped and the rest sorted, and DHS's `/archive/news/...`
    read as the `/news/...` it moved from.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = parts.hostname.lower().rstrip(".").removeprefix("www.")
    port = parts.port if _has_port(parts.netloc) else None
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = quote(_PERCENT.sub(_percent, parts.path), safe=_SAFE_PATH + "%")
    path = _ARCHIVE.sub("", path).rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def _percent(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else m.group(0).upper()


def _has_port(netloc: str) -> bool:
    return bool(re.search(r":\d+$", netloc.rpartition("@")[2]))


def guid_key(guid: str, base: str) -> str:
    """The key a guid stands for: URL guids normalised (relative ones made absolute)."""
    guid = squash(guid)
    if _UUID.fullmatch(guid):
        return guid.lower()
    if m := _DRUPAL.fullmatch(guid):
        # Drupal's "{node id} at {base URL}": the node id is the identity, the host spelling
        # (www. or not, http or https) is not.
        return f"{m.group(1)} at {normalise_url(m.group(2))}"
    if guid.startswith("/") and not guid.startswith("//"):
        guid = urljoin(base, guid)
    if re.match(r"https?://", guid, re.I):
        return normalise_url(guid)
    return guid


def key(
    *,
    guid: str | None,
    url: str | None,
    title: str | None,
    published: datetime | None,
    base: str,
) -> str:
    """One item's key, taking its guid to be unique within its document."""
    if guid and squash(guid):
        return guid_key(guid, base)
    if url:
        return normalise_url(urljoin(base, url))
    day = published.date().isoformat() if published else "undated"
    return f"title:{day} {squash(title or '').casefold()}"


def identity(items: Sequence[Item], *, base: str) -> tuple[Item, ...]:
    """Give each item of one document its key (the module's rule); exact repeats dropped."""
    seen: set[tuple[str, str, str]] = set()
    unique: list[Item] = []
    for item in items:
        fingerprint = (
            guid_key(item.guid, base) if item.guid else "",
            normalise_url(item.url) if item.url else "",
            squash(item.title).casefold(),
        )
        if fingerprint not in seen:
            seen.add(fingerprint)
            unique.append(item)
    guids = Counter(guid_key(i.guid, base) for i in unique if i.guid and squash(i.guid))
    keyed: list[Item] = []
    taken: set[str] = set()
    for item in unique:
        guid = item.guid
        if guid and guids[guid_key(guid, base)] > 1:
            guid = None
        k = key(guid=guid, url=item.url, title=item.title, published=item.published, base=base)
        if k not in taken:
            taken.add(k)
            keyed.append(replace(item, key=k))
    return tuple(keyed)
