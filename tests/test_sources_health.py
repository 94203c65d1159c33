"""A source that breaks is noticed: the health judgement on its own, then polls over real HTTP
that make a source broken, blocked or stalled, logged once when the state starts and once
when it ends, and shown in /readyz and /metrics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from browser_support import running
from server import Request, Response, Server
from sources_support import Clock, captured_events, events, serve, shipped

from syndicate import store as stores
from syndicate import web
from syndicate.config import HealthConfig
from syndicate.model import Validators
from syndicate.pipeline.poll import poll
from syndicate.pipeline.watch import Health, judge, stalled
from syndicate.store.polls import DocumentState, PollRecord

NOW = datetime(2026, 8, 8, 12, tzinfo=UTC)
SETTINGS = HealthConfig()
URL = "https://www.example.gov/feed.xml"


def _doc(**changes: object) -> DocumentState:
    values: dict[str, object] = {
        "url": URL, "validators": Validators(), "last_status": 200, "last_items": 10,
        "most_items": 10, "failures": 0, "last_error": None, "fetched_at": NOW,
    }  # fmt: skip
    values.update(changes)
    return DocumentState(**values)  # type: ignore[arg-type]


def _judge(
    *,
    docs: list[DocumentState] | None = None,
    history: list[PollRecord] | None = None,
    refused: dict[str, str] | None = None,
    previous: Health | None = None,
    dates: list[datetime] | None = None,
) -> Health:
    return judge(
        history=history or [PollRecord(NOW, "ok", 200, 10)],
        documents=docs if docs is not None else [_doc()],
        refused=refused or {},
        previous=previous,
        item_dates=dates or [],
        now=NOW,
        settings=SETTINGS,
    )


def test_a_working_source_is_ok() -> None:
    assert _judge() == Health("ok")


def test_a_refusal_is_blocked() -> None:
    health = _judge(refused={URL: "blocked by robots.txt"})
    assert health == Health("blocked", f"blocked by robots.txt: {URL}")


def test_selectors_that_match_nothing_are_broken_at_once() -> None:
    error = "parse: no items matched selector '.views-row'"
    assert _judge(docs=[_doc(last_error=error, failures=1)]) == Health("broken", error)


def test_a_document_that_used_to_list_items_and_lists_none_is_broken() -> None:
    health = _judge(docs=[_doc(last_items=0, most_items=12)])
    assert health == Health("broken", f"{URL} used to list 12 items and now lists none")
    # One that never listed anything is a quiet feed, not a broken one.
    assert _judge(docs=[_doc(last_items=0, most_items=0)]) == Health("ok")


def test_a_transient_failure_keeps_the_state_until_it_is_a_pattern() -> None:
    stall = Health("stalled", "no new item for a while")
    timeout = "fetch: read timeout from " + URL
    assert _judge(docs=[_doc(last_error=timeout, failures=2)], previous=stall) == stall
    broken = _judge(docs=[_doc(last_error=timeout, failures=3)], previous=stall)
    assert broken == Health("broken", f"3 polls in a row failed: {timeout}")


def test_most_release_pages_without_a_body_are_broken_or_blocked() -> None:
    poor = [PollRecord(NOW, "ok", 200, 10, pages=4, bodies=1)]
    assert _judge(history=poor) == Health("broken", "3 of 4 recent release pages gave no body")
    refused = [PollRecord(NOW, "ok", 200, 10, pages=4, bodies=1, refused=3)]
    assert _judge(history=refused) == Health("blocked", "3 of 4 recent release pages were refused")
    # Two pages are not yet a pattern; a feed's text standing in for refused pages is fine.
    assert _judge(history=[PollRecord(NOW, "ok", 200, 10, pages=2, bodies=0)]) == Health("ok")
    fallback = [PollRecord(NOW, "ok", 200, 10, pages=4, bodies=4, refused=4)]
    assert _judge(history=fallback) == Health("ok")


def test_stalled_is_measured_against_the_sources_own_gap() -> None:
    daily = [NOW - timedelta(days=d) for d in range(10, 20)]  # one a day, the last 10 days ago
    reason = stalled(daily, NOW, SETTINGS)
    assert reason == "no new item for 10.0 days (its usual gap is 1.0 days; stalled after 5.0 days)"
    assert _judge(dates=daily) == Health("stalled", reason)
    # The floor: a source publishing hourly is not stalled after a quiet weekend.
    hourly = [NOW - timedelta(days=2, hours=h) for h in range(10)]
    assert stalled(hourly, NOW, SETTINGS) is None
    assert stalled(hourly[:4], NOW - timedelta(days=30), SETTINGS) is None  # too little history
    weekly = [NOW - timedelta(days=7 * w + 20) for w in range(6)]
    assert stalled(weekly, NOW, SETTINGS) is None  # 20 days quiet, five weeks allowed


LISTING = (Path(__file__).parent / "data/sources/dhs/listing.html").read_text(encoding="utf-8")


def test_a_redesign_is_broken_until_fixed_and_logged_once_each_way(
    tmp_path: Path, http_server: Server
) -> None:
    serve(http_server, "dhs")
    cfg = shipped(tmp_path, http_server, ["https://www.dhs.gov"])
    clock = Clock()
    store = stores.open(cfg.database_url, clock=clock)
    page = {"html": LISTING}
    http_server.handle(
        "/news-releases/press-releases",
        lambda request: Response(200, {"Content-Type": "text/html"}, page["html"].encode()),
    )

    def run() -> str | None:
        (result,) = asyncio.run(poll(cfg, store, source_ids=["dhs"])).results
        clock.advance(hours=1)
        return result.health

    try:
        with captured_events() as records:
            assert run() == "ok"
            page["html"] = "<html><title>News</title><body><div class='cards'></div></body></html>"
            assert run() == "broken"
            assert run() == "broken"
            state = store.sources.state("dhs")
            assert state is not None and state.health_reason is not None
            assert state.health_reason.startswith("parse: no items matched selector")
            assert state.health_since == clock.now - timedelta(hours=2)
            page["html"] = LISTING
            assert run() == "ok"
        starts = events(records, "source.state.start")
        ends = events(records, "source.state.end")
        assert [(e["source"], e["state"]) for e in starts] == [("dhs", "broken")]
        assert [(e["state"], e["now"], e["lasted"]) for e in ends] == [
            ("broken", "ok", "2.0 hours")
        ]
    finally:
        store.close()


def test_robots_txt_blocks_a_source_and_readyz_and_metrics_say_so(
    tmp_path: Path, http_server: Server
) -> None:
    http_server.route(
        "/robots.txt", body="User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"}
    )
    cfg = shipped(tmp_path, http_server, ["https://www.secretservice.gov"])
    clock = Clock()
    store = stores.open(cfg.database_url, clock=clock)
    try:
        (result,) = asyncio.run(poll(cfg, store, source_ids=["usss"])).results
        assert result.health == "blocked"
        assert result.health_reason == f"blocked by robots.txt: {http_server.url('/newsroom')}"
        assert [r.path for r in http_server.log] == ["/robots.txt"]  # the page was never asked
        with running(web.app(cfg, store, clock=clock)) as url, httpx.Client(base_url=url) as client:
            ready = client.get("/readyz")
            # Unready: no scheduler runs here, and usss was polled and never succeeded.
            assert ready.status_code == 503
            body = ready.json()
            assert any(p.startswith("source usss has never succeeded") for p in body["problems"])
            assert body["sources"]["usss"]["state"] == "blocked"
            assert body["sources"]["usss"]["reason"].startswith("blocked by robots.txt")
            assert body["sources"]["uscg"]["state"] == "disabled"
            assert body["sources"]["dhs"] == {"state": "new", "reason": None, "since": None}
            assert body["attention"] == ["usss"]
            metrics = client.get("/metrics").text
            assert 'syndicate_source_state{source="usss",state="blocked"} 1.0' in metrics
            assert 'syndicate_source_state{source="usss",state="ok"} 0.0' in metrics
            assert 'syndicate_source_state{source="uscg",state="disabled"} 1.0' in metrics
            assert 'syndicate_source_last_yield{source="usss",what="releases"} 0.0' in metrics
    finally:
        store.close()


def test_a_feed_whose_items_vanish_is_broken(tmp_path: Path, http_server: Server) -> None:
    serve(http_server, "cisa")
    feed = (Path(__file__).parent / "data/sources/cisa/news.xml").read_text(encoding="utf-8")
    state = {"feed": feed}

    def answer(request: Request) -> Response:
        base = http_server.url("").rstrip("/")
        body = state["feed"].replace("https://www.cisa.gov", base)
        return Response(200, {"Content-Type": "application/rss+xml"}, body.encode())

    http_server.handle("/news.xml", answer)
    cfg = shipped(tmp_path, http_server, ["https://www.cisa.gov"])
    clock = Clock()
    store = stores.open(cfg.database_url, clock=clock)
    try:
        (first,) = asyncio.run(poll(cfg, store, source_ids=["cisa"])).results
        assert first.health == "ok" and first.found == 2
        start, end = feed.index("<item>"), feed.rindex("</item>") + len("</item>")
        state["feed"] = feed[:start] + feed[end:]
        clock.advance(hours=1)
        (second,) = asyncio.run(poll(cfg, store, source_ids=["cisa"])).results
        assert second.found == 0 and second.health == "broken"
        assert second.health_reason == (
            f"{http_server.url('/news.xml')} used to list 2 items and now lists none"
        )
    finally:
        store.close()
