"""Serve the published feed files: request path -> the file's bytes with caching headers.

In: a request for `/feeds/<path>` and the feeds directory the publish stage writes. Out: the
whole file with the right content type, a strong `ETag`, `Last-Modified`, `Vary`, gzip when
the client asks, or 304 when its validators still match (RFC 9110 section 13).

The publisher replaces files by rename, so a file opened here is a complete old or new
version; the body is read from the one open descriptor, never re-opened by name, so a feed is
never served half-written while it is being republished.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response

# Only what the publisher writes is served from the feeds directory (a temp file or anything
# else is a 404), and only the stylesheet from ours.
FEED_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",  # feed.xsl, which shows feeds as pages in browsers
}
STATIC_TYPES = {".css": "text/css; charset=utf-8"}
# A browser opening a feed asks for text/html first; it is given the same bytes as XML (the
# only type for which browsers apply the feed's <?xml-stylesheet?>), and a policy that lets
# that stylesheet load: browsers count XSLT as script (CSP Level 3, script-src).
FOR_BROWSERS = ("application/atom+xml", "application/rss+xml")
BROWSER_TYPE = "application/xml; charset=utf-8"
BROWSER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Feed readers poll; five minutes of freshness, then they revalidate with the validators.
CACHE_CONTROL = "public, max-age=300"
# Below this, gzip costs more than it saves (one TCP segment either way).
GZIP_MIN = 1024


@dataclass
class Entry:
    """One version of one file, with its validators and (lazily) its gzip body."""

    body: bytes
    etag: str
    modified: datetime
    content_type: str
    last_modified: str = field(init=False)
    _gzip: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.last_modified = format_datetime(self.modified, usegmt=True)

    def gzipped(self) -> bytes:
        if self._gzip is None:
            # mtime=0 keeps the gzip bytes (and so their ETag) deterministic.
            self._gzip = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzip


class Files:
    """The files under one directory, cached by (inode, mtime, size) so a hit reads nothing."""

    def __init__(self, root: Path, types: dict[str, str]) -> None:
        self.root = root.resolve()
        self.types = types  # suffix -> Content-Type; other suffixes are not served
        self._cache: dict[Path, tuple[tuple[int, int, int], Entry]] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path | None:
        """The file a request path names, or None when it is not ours to serve."""
        parts = name.split("/")
        if any(not p or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
            return None
        if Path(parts[-1]).suffix not in self.types:
            return None
        # No part is empty, "." or ".." (all start with a dot), so the path stays below root.
        return self.root.joinpath(*parts)

    def entry(self, path: Path) -> Entry | None:
        """The current version of a file, or None when it does not exist."""
        cached = self._cache.get(path)
        if cached:
            try:
                st = os.stat(path)
            except OSError:
                return None
            if cached[0] == (st.st_ino, st.st_mtime_ns, st.st_size):
                return cached[1]
        try:
            fd = os.open(path, os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
            return None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            # Read from the descriptor just checked: a rename after this point cannot mix
            # two versions into one body.
            body = f.read()
        digest = hashlib.sha256(body).hexdigest()[:32]
        entry = Entry(
            body=body,
            etag=f'"{digest}"',
            modified=datetime.fromtimestamp(st.st_mtime, UTC).replace(microsecond=0),
            content_type=self.types[path.suffix],
        )
        with self._lock:
            self._cache[path] = (key, entry)
        return entry


def accepts_gzip(headers: Headers) -> bool:
    """Whether Accept-Encoding allows gzip (RFC 9110 section 12.5.3: q=0 means "not")."""
    for part in headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def _etag_matches(header: str, etag: str) -> bool:
    # If-None-Match uses the weak comparison (RFC 9110 section 13.1.2).
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == wanted for t in header.split(","))


def not_modified(headers: Headers, etag: str, modified: datetime) -> bool:
    """Whether a conditional GET's validators still match (RFC 9110 section 13.2.2 order)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = headers.get("if-modified-since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return modified <= since


def wants_page(headers: Headers) -> bool:
    """Whether the client is a browser navigating (Accept names text/html), not a reader."""
    return "text/html" in headers.get("accept", "").lower()


def respond(entry: Entry, headers: Headers) -> Response:
    """The response for one file: 304, or the body (gzipped when asked and worth it)."""
    zipped = len(entry.body) >= GZIP_MIN and accepts_gzip(headers)
    feed = entry.content_type.split(";")[0] in FOR_BROWSERS
    page = feed and wants_page(headers)
    # Each representation needs its own strong validator (RFC 9110 section 8.8.3).
    etag = entry.etag[:-1] + ("-xml" if page else "") + ('-gz"' if zipped else '"')
    out = {
        "ETag": etag,
        "Last-Modified": entry.last_modified,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding, Accept" if feed else "Accept-Encoding",
    }
    if page:
        out["Content-Security-Policy"] = BROWSER_CSP
    if not_modified(headers, etag, entry.modified):
        return Response(status_code=304, headers=out)
    media_type = BROWSER_TYPE if page else entry.content_type
    if zipped:
        out["Content-Encoding"] = "gzip"
        return Response(entry.gzipped(), headers=out, media_type=media_type)
    return Response(entry.body, headers=out, media_type=media_type)
