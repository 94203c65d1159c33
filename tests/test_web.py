"""The web side over real HTTP: pages, feed files with caching headers, safety, health.

One app per module is served by a real uvicorn on 127.0.0.1 and driven with httpx; its store
is SQLite seeded with briefs written for these tests (one of them hostile). Every page is
checked by the Nu HTML Checker in one run, and for accessible basics.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from browser_support import (
    NOW,
    PAYLOAD,
    Served,
    atom,
    outline,
    served,
    vnu,
    vnu_problem,
)

from syndicate.errors import StoreError
from syndicate.model import Brief, Validators

__all__ = ["served"]


def hostile(served: Served) -> Brief:
    return next(b for b in served.briefs if PAYLOAD in b.title)


# --- pages -------------------------------------------------------------------------------------


def pages(served: Served) -> dict[str, str]:
    """Every kind of page the archive side serves, by name."""
    with served.client("192.0.2.10") as c:
        out = {
            "home": c.get("/"),
            "home page 2": c.get("/?page=2"),
            "agency": c.get("/agency/dhs"),
            "agency empty": c.get("/agency/usss"),
            "topic": c.get("/topic/cybersecurity"),
            "not found": c.get("/no/such/page"),
            "bad form": c.post("/subscribe", data={"csrf": "x"}),
        }
        for b in served.briefs:
            out[f"brief {b.id}"] = c.get(f"/briefs/{b.id}")
    for name, response in out.items():
        assert response.headers["content-type"] == "text/html; charset=utf-8", name
    return {name: r.text for name, r in out.items()}


def test_archive_pages_answer(served: Served) -> None:
    with served.client() as c:
        home = c.get("/")
        assert home.status_code == 200
        # Newest first, two per page (web.page_size = 2), a pager to the older ones.
        titles = re.findall(r'<a href="/briefs/([^"]+)">', home.text)
        assert titles == [served.briefs[3].id, served.briefs[2].id]
        assert 'rel="next" href="/?page=2"' in home.text
        older = c.get("/?page=2")
        assert re.findall(r'<a href="/briefs/([^"]+)">', older.text) == [
            served.briefs[1].id,
            served.briefs[0].id,
        ]
        dhs = c.get("/agency/dhs")
        assert re.findall(r'<a href="/briefs/([^"]+)">', dhs.text) == [
            served.briefs[2].id,
            served.briefs[0].id,
        ]
        assert c.get("/agency/usss").status_code == 200
        assert "No briefs yet." in c.get("/agency/usss").text


def test_home_links_every_feed_with_autodiscovery(served: Served) -> None:
    with served.client() as c:
        html = c.get("/").text
    for kind, ext in (
        ("application/atom+xml", "atom"),
        ("application/rss+xml", "rss"),
        ("application/feed+json", "json"),
    ):
        assert f'<link rel="alternate" type="{kind}" href="/feeds/all.{ext}"' in html
    for feed in ("agency/dhs", "agency/usss", "topic/cybersecurity", "topic/maritime"):
        assert f'href="/feeds/{feed}.atom"' in html
    assert '<form method="post" action="/subscribe">' in html


def test_brief_page_has_sources_and_attribution(served: Served) -> None:
    b = served.briefs[0]
    with served.client() as c:
        html = c.get(f"/briefs/{b.id}").text
    assert f"<h1>{b.title}</h1>" in html
    assert f'<a href="{b.url}">U.S. Department of Homeland Security</a>' in html
    assert "Prepared by the syndicate test desk." in html
    assert "<h2>What Changes</h2>" in html
    assert 'href="/feeds/agency/dhs.atom"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/no/such/page",
        "/briefs/does-not-exist",
        "/agency/xyz",
        "/agency/DHS",
        "/topic/no-such-topic",
        "/?page=9",
        "/?page=0",
        "/?page=abc",
        "/feeds/nothing.atom",
        "/feeds/.all.atom.tmp",
        "/feeds/all.atom.tmp",
        "/feeds/notes.txt",
        "/feeds/../secret.atom",
        "/feeds/%2e%2e/secret.atom",
        "/feeds/agency",
        "/static/base.html",
        "/static/../web/style.css",
    ],
)
def test_unknown_paths_are_404(served: Served, path: str) -> None:
    with served.client() as c:
        r = c.get(path)
    assert r.status_code == 404
    assert "Not found" in r.text and "outside the feeds" not in r.text


def test_wrong_method_is_405(served: Served) -> None:
    with served.client() as c:
        r = c.request("DELETE", "/")
        assert r.status_code == 405
        assert "GET" in r.headers["allow"]
        assert c.get("/subscribe").status_code == 405


def test_pages_are_valid_html_and_accessible(served: Served, tmp_path: Path) -> None:
    problem = vnu_problem()
    if problem:
        pytest.skip(problem)
    rendered = pages(served)
    rendered.update(subscription_pages(served))
    errors = vnu(rendered, tmp_path)
    assert {name: e for name, e in errors.items() if e} == {}
    for name, html in rendered.items():
        page = outline(html)
        assert page.lang == "en", name
        assert page.headings and page.headings[0] == 1, f"{name}: first heading is h1"
        assert page.headings.count(1) == 1, f"{name}: one h1"
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, f"{name}: heading h{before} jumps to h{after}"
        for field in page.inputs:
            assert field.get("id") in page.labels, f"{name}: input {field} has no label"


def subscription_pages(served: Served) -> dict[str, str]:
    """The subscribe result, confirm, preferences and unsubscribe pages (see test_web_subscribe)."""
    from test_web_subscribe import walk

    return walk(served)


def test_script_payload_is_inert_everywhere(served: Served) -> None:
    bad = hostile(served)
    rendered = pages(served)
    assert PAYLOAD not in "".join(rendered.values())
    for name, html in rendered.items():
        page = outline(html)
        assert page.scripts == 0 and page.handlers == [], name
        assert page.inline_styles == 0, name
    brief_page = rendered[f"brief {bad.id}"]
    # The payload is there, as text: escaped, not dropped.
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in brief_page
    assert "javascript:" not in brief_page


def test_security_headers_on_every_response(served: Served) -> None:
    with served.client() as c:
        for path in ("/", f"/briefs/{served.briefs[0].id}", "/nope", "/feeds/all.atom"):
            r = c.get(path)
            csp = r.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "style-src 'self'" in csp
            assert "unsafe-inline" not in csp and "script-src" not in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
        # A page carrying a form token is never kept by a shared cache; archive pages may be.
        assert c.get("/").headers["cache-control"] == "private, no-cache"
        assert c.get("/agency/dhs").headers["cache-control"] == "public, max-age=60"
        assert c.get("/nope").headers["cache-control"] == "no-store"
        css = c.get("/static/style.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_oversized_request_is_refused(served: Served) -> None:
    with served.client() as c:
        r = c.post("/subscribe", content=b"address=" + b"a" * 100_000)
    assert r.status_code == 413
    assert "larger than this site accepts" in r.text


def test_oversized_chunked_request_is_refused(served: Served) -> None:
    def chunks() -> Iterator[bytes]:
        # No Content-Length: the cap must hold while the body is read.
        yield b"address="
        for _ in range(40):
            yield b"a" * 1024

    with served.client() as c:
        r = c.post(
            "/subscribe",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert r.status_code == 413


def test_errors_never_show_a_traceback(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(feed: str = "all") -> int:
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(served.store.briefs, "count", broken)
    with served.client() as c:
        r = c.get("/")
    assert r.status_code == 500
    assert "Something went wrong" in r.text
    for leak in ("Traceback", "RuntimeError", "secret internal", "File "):
        assert leak not in r.text


# --- feed files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/feeds/all.atom", "application/atom+xml"),
        ("/feeds/all.rss", "application/rss+xml"),
        ("/feeds/all.json", "application/feed+json"),
        ("/feeds/agency/dhs.atom", "application/atom+xml"),
        ("/feeds/feeds.opml", "text/x-opml"),
        ("/feeds/index.html", "text/html"),
    ],
)
def test_feed_files_have_their_content_types(served: Served, path: str, kind: str) -> None:
    with served.client() as c:
        r = c.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == f"{kind}; charset=utf-8"
    assert r.content == (served.config.feeds_dir / path.removeprefix("/feeds/")).read_bytes()


def test_feed_validators_and_conditional_get(served: Served) -> None:
    body = (served.config.feeds_dir / "all.atom").read_bytes()
    mtime = os.stat(served.config.feeds_dir / "all.atom").st_mtime
    with served.client() as c:
        first = c.get("/feeds/all.atom", headers={"Accept-Encoding": "identity"})
        etag = first.headers["etag"]
        assert etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        assert first.headers["last-modified"] == format_datetime(
            datetime.fromtimestamp(int(mtime), UTC), usegmt=True
        )
        assert first.headers["vary"] == "Accept-Encoding, Accept"  # browsers get a page
        plain = {"Accept-Encoding": "identity"}
        again = c.get("/feeds/all.atom", headers={**plain, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        listed = c.get("/feeds/all.atom", headers={**plain, "If-None-Match": f'"x", W/{etag}'})
        assert listed.status_code == 304
        since = first.headers["last-modified"]
        dated = c.get("/feeds/all.atom", headers={**plain, "If-Modified-Since": since})
        assert dated.status_code == 304
        # If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2).
        stale = c.get(
            "/feeds/all.atom",
            headers={**plain, "If-None-Match": '"other"', "If-Modified-Since": since},
        )
        assert stale.status_code == 200 and stale.content == body
        earlier = format_datetime(datetime.fromtimestamp(mtime - 3600, UTC), usegmt=True)
        changed = c.get("/feeds/all.atom", headers={**plain, "If-Modified-Since": earlier})
        assert changed.status_code == 200
        head = c.head("/feeds/all.atom", headers=plain)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == etag


def test_feed_gzip_when_asked(served: Served) -> None:
    body = (served.config.feeds_dir / "all.atom").read_bytes()
    with httpx.Client(base_url=served.url) as c:
        raw = c.send(
            c.build_request("GET", "/feeds/all.atom", headers={"Accept-Encoding": "gzip"}),
            stream=True,
        )
        zipped = raw.read()  # httpx decodes; check the wire format separately below
        assert raw.headers["content-encoding"] == "gzip"
        assert zipped == body
        etag = raw.headers["etag"]
        assert etag.endswith('-gz"')
        not_zipped = c.get("/feeds/all.atom", headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert "content-encoding" not in not_zipped.headers
        assert not_zipped.headers["etag"] != etag
        repeat = c.get(
            "/feeds/all.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
        )
        assert repeat.status_code == 304
    with (
        httpx.Client(base_url=served.url) as c,
        c.stream("GET", "/feeds/all.atom", headers={"Accept-Encoding": "gzip"}) as r,
    ):
        wire = b"".join(r.iter_raw())
    assert gzip.decompress(wire) == body and len(wire) < len(body)


def test_feed_served_whole_while_republished(served: Served) -> None:
    path = served.config.feeds_dir / "agency" / "dhs.atom"
    versions = [atom(200, "a"), atom(300, "b")]
    known = {hashlib.sha256(v).hexdigest() for v in versions} | {
        hashlib.sha256(path.read_bytes()).hexdigest()
    }
    stop = threading.Event()

    def republish() -> None:
        # What the publisher does: write a temp file beside the target, then rename it.
        n = 0
        while not stop.is_set():
            tmp = path.with_name(".dhs.atom.tmp")
            tmp.write_bytes(versions[n % 2])
            os.replace(tmp, path)
            n += 1
            time.sleep(0.002)

    writer = threading.Thread(target=republish)
    writer.start()
    seen: set[str] = set()
    try:
        with served.client() as c:
            for _ in range(60):
                r = c.get("/feeds/agency/dhs.atom", headers={"Accept-Encoding": "identity"})
                assert r.status_code == 200
                digest = hashlib.sha256(r.content).hexdigest()
                assert digest in known, "a partial or mixed body was served"
                assert r.headers["etag"] == f'"{digest[:32]}"'
                seen.add(digest)
    finally:
        stop.set()
        writer.join()
    assert len(seen) >= 2, "the file never changed under the reader"


# --- health and metrics ------------------------------------------------------------------------


def test_readyz_reports_why_and_healthz_stays_live(served: Served) -> None:
    meta = served.store.meta
    with served.client() as c:
        meta.set("scheduler_heartbeat", (NOW - timedelta(seconds=5)).isoformat())
        meta.set("last_poll_at", (NOW - timedelta(seconds=60)).isoformat())
        ok = c.get("/readyz")
        assert ok.status_code == 200, ok.text
        assert ok.json()["status"] == "ready" and ok.json()["problems"] == []
        meta.set("scheduler_heartbeat", (NOW - timedelta(minutes=10)).isoformat())
        stale = c.get("/readyz")
        assert stale.status_code == 503
        assert stale.json()["problems"] == ["scheduler heartbeat is 600 s old"]
        assert stale.json()["checks"]["scheduler"] == ["scheduler heartbeat is 600 s old"]
        # Liveness is not readiness: the process answers and its store opens.
        live = c.get("/healthz")
        assert live.status_code == 200 and live.json() == {
            "status": "ok",
            "store": "ok",
            "problems": [],
        }
        meta.set("scheduler_heartbeat", (NOW - timedelta(seconds=5)).isoformat())
        meta.set("last_poll_at", (NOW - timedelta(hours=5)).isoformat())
        late = c.get("/readyz")
        assert late.status_code == 503
        assert late.json()["problems"] == ["last poll was 18000 s ago"]
        meta.set("last_poll_at", (NOW - timedelta(seconds=60)).isoformat())


def test_healthz_and_metrics_when_the_store_is_down(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(key: str) -> str | None:
        raise StoreError("store: read failed: connection refused")

    monkeypatch.setattr(served.store.meta, "get", down)
    monkeypatch.setattr(served.store.sources, "all", lambda: down(""))
    with served.client() as c:
        for path in ("/healthz", "/readyz"):
            health = c.get(path)
            assert health.status_code == 503
            assert health.json()["store"] == "unreachable"
            assert health.json()["problems"] == ["store: read failed: connection refused"]
        metrics = c.get("/metrics")
        assert metrics.status_code == 503


def test_metrics_are_prometheus_text(served: Served) -> None:
    st = served.store
    st.meta.set("scheduler_heartbeat", (NOW - timedelta(seconds=7)).isoformat())
    later = NOW + timedelta(minutes=15)
    for when in (NOW - timedelta(minutes=30), NOW - timedelta(minutes=10)):
        st.sources.record_failure(
            "cisa",
            url="https://www.cisa.gov/news.xml",
            now=when,
            error="fetch: 503",
            status=503,
            next_poll_at=later,
        )
    st.sources.record_success(
        "dhs",
        url="https://www.dhs.gov/news",
        now=NOW - timedelta(minutes=2),
        validators=Validators(etag='"v1"'),
        next_poll_at=later,
        status=200,
    )
    st.subscribers.add("metrics.reader@example.gov", "daily", confirmed=True)
    st.meta.set("duration:poll", "1.250")
    with served.client() as c:
        c.get("/")
        r = c.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = r.text.splitlines()
    sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?[0-9.e+]+|\+Inf)$')
    for line in lines:
        assert line.startswith(("# HELP ", "# TYPE ")) or sample.match(line), line
    for expected in (
        'syndicate_source_polls_total{source="cisa"} 2.0',
        'syndicate_job_duration_seconds{job="poll"} 1.25',
        'syndicate_source_polls_total{source="dhs"} 1.0',
        'syndicate_source_failures{source="cisa"} 2.0',
        'syndicate_source_failures{source="dhs"} 0.0',
        'syndicate_source_last_success_age_seconds{source="dhs"} 120.0',
        'syndicate_source_last_success_age_seconds{source="cisa"} +Inf',
        "syndicate_briefs 4.0",
        'syndicate_messages{status="sent"} 0.0',
        "syndicate_delivery_queue_depth 0.0",
        "syndicate_heartbeat_age_seconds 7.0",
    ):
        assert expected in lines, expected
    assert any(x.startswith('syndicate_subscribers{status="active"} ') for x in lines)
    home = [
        x
        for x in lines
        if x.startswith('syndicate_http_request_duration_seconds_count{path="home"}')
    ]
    assert home and float(home[0].split()[-1]) >= 1
