"""The agencies' fixture sites polled end to end over real HTTP with the shipped config: dates
and titles from the right place, several feeds merged by identity, refused pages, the
/archive/news move, and what each poll records of its yield."""

from __future__ import annotations

import asyncio
from pathlib import Path

from server import Response, Server
from sources_support import Clock, serve, shipped

from syndicate import store as stores
from syndicate.config import Config
from syndicate.pipeline.poll import PollSummary, poll
from syndicate.store import Store


def _poll(cfg: Config, store: Store, *ids: str) -> PollSummary:
    return asyncio.run(poll(cfg, store, source_ids=list(ids)))


def _open(cfg: Config, clock: Clock) -> Store:
    return stores.open(cfg.database_url, clock=clock)


def _stored(store: Store, source_id: str) -> dict[str, tuple[str, str | None]]:
    """url -> (title, published) of a source's stored items."""
    found = {}
    for status in ("briefed", "new", "rejected"):
        for item in store.items.with_status(status, source_id=source_id):  # type: ignore[arg-type]
            found[item.url] = (
                item.title,
                item.published_at.isoformat() if item.published_at else None,
            )
    return found


def test_dhs_through_the_shipped_config(tmp_path: Path, http_server: Server) -> None:
    spec = serve(http_server, "dhs")
    cfg = shipped(tmp_path, http_server, ["https://www.dhs.gov"])
    clock = Clock()
    store = _open(cfg, clock)
    try:
        (result,) = _poll(cfg, store, "dhs").results
        assert (result.outcome, result.new, result.failed) == ("ok", 3, 0)
        base = http_server.url("").rstrip("/")
        stored = _stored(store, "dhs")
        kiosks = f"{base}/news/2026/08/06/dhs-expands-trusted-traveler-kiosks"
        # The listing said Aug. 6; the release page says Aug. 5, and the page wins.
        assert stored[kiosks] == ("DHS Expands Trusted Traveler Kiosks at Twelve Airports",
                                  "2026-08-05T04:00:00+00:00")  # fmt: skip
        assert any("the page's is used" in n for n in result.notes)
        tours = f"{base}/news/2026/08/07/secretary-tours-maritime-training-center"
        assert stored[tours][1] == "2026-08-07T04:00:00+00:00"
        # What the poll yielded is recorded, and the source is judged ok.
        (record,) = store.polls.recent("dhs", 5)
        assert (record.found, record.pages, record.bodies, record.refused) == (3, 3, 3, 0)
        state = store.sources.state("dhs")
        assert state is not None and (state.health, state.health_since) == ("ok", clock.now)

        # DHS moves a release to /archive/news/...: the same item, not a new brief.
        listing = (Path(__file__).parent / "data/sources/dhs/listing.html").read_text()
        moved = listing.replace("/news/2026/08/07/", "/archive/news/2026/08/07/")
        http_server.route(
            "/news-releases/press-releases", body=moved, headers={"Content-Type": "text/html"}
        )
        clock.advance(hours=1)
        (again,) = _poll(cfg, store, "dhs").results
        assert (again.outcome, again.new, again.updated, again.failed) == ("ok", 0, 0, 0)
        assert len(spec["items"]) == store.items.count("dhs")
    finally:
        store.close()


def test_tsa_titles_come_from_the_page_then_the_slug(tmp_path: Path, http_server: Server) -> None:
    serve(http_server, "tsa")  # the third item's page is not served: 404, feed text instead
    cfg = shipped(tmp_path, http_server, ["https://www.tsa.gov"])
    store = _open(cfg, Clock())
    try:
        (result,) = _poll(cfg, store, "tsa").results
        assert (result.new, result.failed) == (3, 0), result.notes
        titles = sorted(t for t, _ in _stored(store, "tsa").values())
        assert titles == [
            "TSA officers find 14 loaded handguns at regional checkpoints",  # og:title
            "TSA precheck enrollment opens new locations",  # the URL slug
            "TSA screens record number of travelers in July",  # h1
        ]
        briefed = {b.title for b in store.briefs.latest(10)}
        assert "TSA precheck enrollment opens new locations" in briefed
    finally:
        store.close()


def test_fema_listing_and_regional_feeds_merge_by_identity(
    tmp_path: Path, http_server: Server
) -> None:
    serve(http_server, "fema", etags=True)
    empty = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Region</title>'
        "<link>https://x/</link><description>d</description></channel></rss>"
    )
    for region in ("i", "ii", "iii", "v", "vi", "vii", "viii", "ix", "x"):
        http_server.route(f"/news/news_region-{region}.rss", body=empty,
                          headers={"Content-Type": "application/rss+xml"})  # fmt: skip
    http_server.route("/press-release/20260729/disaster-recovery-center-opens-hamilton-county",
                      status=404)  # fmt: skip
    cfg = shipped(tmp_path, http_server, ["https://www.fema.gov"])
    clock = Clock()
    store = _open(cfg, clock)
    try:
        (result,) = _poll(cfg, store, "fema").results
        # Four releases: three listed, one only in the Region IV feed, the one in both once.
        # Hamilton County's page is gone and its feed text stands in; the loans release has
        # no page here and no feed text, so it is left for the next poll.
        assert result.found == 5
        assert (result.new, result.failed) == (3, 1), result.notes
        assert (result.pages, result.bodies) == (4, 3)
        assert len(store.polls.documents("fema")) == 11
        clock.advance(hours=1)
        http_server.log.clear()
        (again,) = _poll(cfg, store, "fema").results
        asked = [r for r in http_server.log if r.path == "/news/news_region-iv.rss"]
        # The extra feed's own validators are kept and sent: a 304, nothing read twice.
        assert asked and asked[0].headers.get("if-none-match") == '"region-iv.rss"'
        assert (again.new, again.updated) == (0, 0)
    finally:
        store.close()


def test_uscis_pages_refused_fall_back_to_the_feeds_text(
    tmp_path: Path, http_server: Server
) -> None:
    serve(http_server, "uscis")
    for path in ("/newsroom/news-releases/uscis-extends-filing-window-adjustment-applications",
                 "/newsroom/news-releases/uscis-opens-new-field-office-boise"):  # fmt: skip
        http_server.route(path, status=403, body="<html><title>Access Denied</title></html>")
    cfg = shipped(tmp_path, http_server, ["https://www.uscis.gov"])
    store = _open(cfg, Clock())
    try:
        (result,) = _poll(cfg, store, "uscis").results
        assert (result.new, result.pages, result.bodies, result.refused) == (2, 2, 2, 2)
        state = store.sources.state("uscis")
        assert state is not None and state.health == "ok"  # refused pages, but bodies all the same
    finally:
        store.close()


def test_ice_reads_the_release_not_the_mission_blurb(tmp_path: Path, http_server: Server) -> None:
    serve(http_server, "ice")
    http_server.route("/news/releases/ice-hosts-job-fair-phoenix", status=404)
    cfg = shipped(tmp_path, http_server, ["https://www.ice.gov"])
    store = _open(cfg, Clock())
    try:
        (result,) = _poll(cfg, store, "ice").results
        assert result.new == 2 and result.failed == 1  # the job fair page is gone, no feed text
        texts = [
            store.items.article(i.id) for i in store.items.with_status("briefed", source_id="ice")
        ]
        assert texts and all(a is not None and "Securing the Homeland" not in a.text for a in texts)
    finally:
        store.close()


def test_a_document_answering_403_counts_as_refused(tmp_path: Path, http_server: Server) -> None:
    http_server.handle("/newsroom", lambda request: Response(403, {}, b"Forbidden"))
    cfg = shipped(tmp_path, http_server, ["https://www.secretservice.gov"])
    store = _open(cfg, Clock())
    try:
        (result,) = _poll(cfg, store, "usss").results
        assert result.outcome == "failed" and result.health == "blocked"
        assert result.health_reason == f"refused with 403: {http_server.url('/newsroom')}"
    finally:
        store.close()


def test_release_pages_robots_txt_disallows_use_the_feeds_text(
    tmp_path: Path, http_server: Server
) -> None:
    serve(http_server, "uscis")
    http_server.route("/robots.txt", body="User-agent: *\nDisallow: /newsroom/\n")
    cfg = shipped(tmp_path, http_server, ["https://www.uscis.gov"])
    store = _open(cfg, Clock())
    try:
        (result,) = _poll(cfg, store, "uscis").results
        assert (result.new, result.pages, result.bodies, result.refused) == (2, 2, 2, 2)
        assert not [r for r in http_server.log if r.path.startswith("/newsroom/")]
    finally:
        store.close()
