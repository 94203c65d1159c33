"""The poll pipeline end to end over real HTTP on 127.0.0.1: sources shaped like the real DHS
family, through fetch, parse, extract, brief and store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from server import Request, Response, Server

from syndicate import config as config_module
from syndicate.cli import main
from syndicate.config import Config
from syndicate.pipeline.poll import PollSummary, poll
from syndicate.store import Store

ARTICLE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>
<header><nav><a href="/">Home</a></nav></header>
<main><article><h1>{title}</h1><div class="field--name-body">
<p>WASHINGTON – {lead}</p>
<p>The agency said the work at the {place} will continue through the spring of 2026.</p>
<p>“We are proud of the officers who made this possible,” said Director Dana Whitfield.</p>
<p>Officials plan to publish a full report on the effort by June 30, 2026.</p>
</div></article></main><footer>Last Modified: 11/20/2025</footer></body></html>"""


def _item(n: int, *, guid: str | None = None, link: str | None = None, title: str = "") -> str:
    title = title or f"Officers Complete Inspection Project Number {n}"
    link = link or f"/news/2025/11/{n:02d}/inspection-project-{n}"
    guid_xml = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
    return (
        f"<item><title>{title}</title><link>{link}</link>{guid_xml}"
        f"<description>Officers finished inspection project {n} this week.</description>"
        f"<pubDate>Mon, {n:02d} Nov 2025 10:00:00 -0500</pubDate></item>"
    )


def _rss(base: str, items: list[str]) -> str:
    body = "".join(i.replace("<link>/", f"<link>{base}/") for i in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Sample</title><link>{base}/</link><description>d</description>{body}"
        "</channel></rss>"
    )


def _page(n: int, lead: str = "") -> str:
    lead = lead or f"Officers completed inspection project {n} at the northern port on Monday."
    return ARTICLE.format(
        title=f"Officers Complete Inspection Project Number {n}", lead=lead, place="port"
    )


def _config(tmp: Path, server: Server, feeds: dict[str, str], db: str = "") -> Config:
    sources = "\n".join(
        f'[[sources]]\nid = "{sid}"\nname = "Sample {sid}"\nagency = "CBP"\nkind = "feed"\n'
        f'url = "{server.url(path)}"\ninterval = 60\nfirst_poll_items = 3\n'
        for sid, path in feeds.items()
    )
    text = f"""
[service]
data_dir = "data"
[database]
url = "{db}"
[fetch]
host_spacing = 0.0
respect_robots = false
deadline = 5.0
allow_private = true  # the sources are on 127.0.0.1
{sources}
"""
    (tmp / "config.toml").write_text(text, encoding="utf-8")
    return config_module.parse(text, tmp)


def _poll(cfg: Config, store: Store, *ids: str) -> PollSummary:
    return asyncio.run(poll(cfg, store, source_ids=list(ids) or None))


def _serve(server: Server, n_items: range, *, base_path: str = "/feed.xml") -> None:
    base = server.url("").rstrip("/")
    server.route(
        base_path,
        body=_rss(base, [_item(n) for n in n_items]),
        headers={"Content-Type": "application/rss+xml"},
    )
    for n in n_items:
        server.route(
            f"/news/2025/11/{n:02d}/inspection-project-{n}",
            body=_page(n),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )


def test_first_poll_briefs_latest_n_then_nothing_is_new(
    tmp_path: Path, http_server: Server, store: Store
) -> None:
    _serve(http_server, range(1, 7))
    cfg = _config(tmp_path, http_server, {"cbp": "/feed.xml"})
    first = _poll(cfg, store)
    [r] = first.results
    assert (r.outcome, r.new, r.failed, r.rejected) == ("ok", 3, 0, 0), r
    assert store.briefs.count() == 3
    titles = {b.title for b in store.briefs.latest(10)}
    assert titles == {f"Officers Complete Inspection Project Number {n}" for n in (4, 5, 6)}
    assert store.items.count("cbp") == 6  # the older three are seen, not briefed

    again = _poll(cfg, store, "cbp")
    assert (again.results[0].new, again.results[0].unchanged) == (0, 6)
    assert store.briefs.count() == 3
    pages = [e for e in http_server.log if e.path.startswith("/news/")]
    assert len(pages) == 3, "known releases are not fetched again"


def test_one_failing_source_never_stops_the_others(
    tmp_path: Path, http_server: Server, store: Store
) -> None:
    _serve(http_server, range(1, 3))
    http_server.route("/broken.xml", status=500, body="oops")
    http_server.route("/login.xml", body="<html><head><title>Sign in</title></head></html>")
    http_server.route(
        "/bomb.xml", body='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x/>'
    )
    feeds = {
        "good": "/feed.xml",
        "broken": "/broken.xml",
        "login": "/login.xml",
        "bomb": "/bomb.xml",
    }
    cfg = _config(tmp_path, http_server, feeds)
    summary = _poll(cfg, store)
    by_id = {r.source_id: r for r in summary.results}
    assert by_id["good"].new == 2
    assert by_id["broken"].outcome == "failed" and "500" in (by_id["broken"].error or "")
    assert by_id["login"].outcome == "failed" and "not a feed" in (by_id["login"].error or "")
    assert by_id["bomb"].outcome == "failed" and "ENTITY" in (by_id["bomb"].error or "").upper()
    state = store.sources.state("broken")
    assert state is not None and state.failures == 1
    assert state.next_poll_at is not None and state.next_poll_at > datetime.now(UTC)


def test_conditional_get_and_recovery_after_500(
    tmp_path: Path, http_server: Server, store: Store
) -> None:
    _serve(http_server, range(1, 2))
    base = http_server.url("").rstrip("/")
    document = _rss(base, [_item(1)])
    calls = {"n": 0}

    def feed(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 2:
            return Response(500, body="down")
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(
            200, headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"}, body=document
        )

    http_server.handle("/cond.xml", feed)
    cfg = _config(tmp_path, http_server, {"cbp": "/cond.xml"})
    assert _poll(cfg, store, "cbp").results[0].new == 1
    assert _poll(cfg, store, "cbp").results[0].outcome == "failed"
    st = store.sources.state("cbp")
    assert st is not None and st.failures == 1
    third = _poll(cfg, store, "cbp").results[0]
    assert third.outcome == "not-modified"
    assert http_server.log[-1].headers.get("if-none-match") == '"v1"'
    st = store.sources.state("cbp")
    assert st is not None and st.failures == 0


def test_blocked_article_falls_back_to_feed_text(
    tmp_path: Path, http_server: Server, store: Store
) -> None:
    base = http_server.url("").rstrip("/")
    item = (
        "<item><title>USCIS Extends Filing Window for Fee Waivers</title>"
        "<link>/newsroom/fee-waivers</link>"
        '<guid isPermaLink="false">0f4e6a1c-8d2b-4f3e-9c1a-7b5d2e8f9a10</guid>'
        "<description>&lt;p&gt;U.S. Citizenship and Immigration Services (USCIS) extended "
        "the filing window for fee waiver requests to 90 days.&lt;/p&gt;&lt;p&gt;The change "
        "applies to requests received on or after Dec. 1, 2025.&lt;/p&gt;</description>"
        "<pubDate>Tue, 25 Nov 2025 09:00:00 EST</pubDate></item>"
    )
    http_server.route(
        "/uscis.xml", body=_rss(base, [item]), headers={"Content-Type": "application/rss+xml"}
    )
    http_server.route("/newsroom/fee-waivers", status=403, body="<h1>Access Denied</h1>")
    cfg = _config(tmp_path, http_server, {"uscis": "/uscis.xml"})
    result = _poll(cfg, store).results[0]
    assert result.new == 1, result
    [brief] = store.briefs.latest(5)
    assert "90 days" in " ".join(brief.summary)
    [known] = store.items.known("uscis", ["0f4e6a1c-8d2b-4f3e-9c1a-7b5d2e8f9a10"]).values()
    article = store.items.article(known.id)
    assert article is not None and article.origin == "feed"


def test_edit_updates_the_brief_and_a_moved_url_is_not_a_duplicate(
    tmp_path: Path, http_server: Server, store: Store
) -> None:
    _serve(http_server, range(1, 2))
    cfg = _config(tmp_path, http_server, {"cbp": "/feed.xml"})
    assert _poll(cfg, store).results[0].new == 1
    [before] = store.briefs.latest(5)

    # The agency edits the release: a new figure, and the feed's description changes.
    base = http_server.url("").rstrip("/")
    edited = _item(1).replace("this week.", "this week, ahead of schedule.")
    http_server.route(
        "/feed.xml", body=_rss(base, [edited]), headers={"Content-Type": "application/rss+xml"}
    )
    http_server.route(
        "/news/2025/11/01/inspection-project-1",
        body=_page(
            1,
            "Officers completed inspection project 1 at the northern port, "
            "clearing 450 trucks on Monday.",
        ),
        headers={"Content-Type": "text/html"},
    )
    result = _poll(cfg, store, "cbp").results[0]
    assert (result.new, result.updated) == (0, 1), result
    [after] = store.briefs.latest(5)
    assert after.id == before.id
    assert after.updated > before.updated and after.published == before.published
    assert "450 trucks" in " ".join(after.summary) + " ".join(
        p for s in after.sections for p in s.paragraphs
    )

    # The CMS moves it under /archive/ with a tracking parameter: the same release.
    moved = edited.replace("<link>/news/", "<link>/archive/news/").replace(
        "</link>", "?utm_source=rss</link>", 1
    )
    http_server.route(
        "/feed.xml", body=_rss(base, [moved]), headers={"Content-Type": "application/rss+xml"}
    )
    result = _poll(cfg, store, "cbp").results[0]
    assert (result.new, result.updated) == (0, 0), result
    assert store.briefs.count() == 1

    # A CMS that starts giving the same release a guid (so its key changes): still one brief.
    with_guid = moved.replace("</link>", '</link><guid isPermaLink="false">abc-1</guid>', 1)
    http_server.route(
        "/feed.xml", body=_rss(base, [with_guid]), headers={"Content-Type": "application/rss+xml"}
    )
    result = _poll(cfg, store, "cbp").results[0]
    assert (result.new, result.updated) == (0, 0), result
    assert store.briefs.count() == 1


def test_flood_of_new_ids_is_held_until_released(
    tmp_path: Path, http_server: Server, store: Store, store_url: str
) -> None:
    _serve(http_server, range(1, 5))
    cfg = _config(tmp_path, http_server, {"cbp": "/feed.xml"}, store_url)
    _poll(cfg, store)
    held_before = store.briefs.count()
    # A CMS migration rewrites every guid and link at once.
    base = http_server.url("").rstrip("/")
    rewritten = [
        _item(
            n,
            guid=f"node-{900 + n}",
            link=f"/media-release/{n}",
            title=f"Inspection Project {n} Finished by Field Officers",
        )
        for n in range(1, 5)
    ]
    http_server.route(
        "/feed.xml", body=_rss(base, rewritten), headers={"Content-Type": "application/rss+xml"}
    )
    for n in range(1, 5):
        http_server.route(
            f"/media-release/{n}", body=_page(n), headers={"Content-Type": "text/html"}
        )
    result = _poll(cfg, store, "cbp").results[0]
    assert result.outcome == "held" and "4 of 4" in (result.error or ""), result
    assert store.briefs.count() == held_before
    state = store.sources.state("cbp")
    assert state is not None and state.held

    assert main(["--config", str(tmp_path / "config.toml"), "sources", "release", "cbp"]) == 0
    # (the CLI opened its own store on the same database; ours sees the change)
    result = _poll(cfg, store, "cbp").results[0]
    assert result.outcome == "ok" and result.new + result.unchanged == 4, result
    state = store.sources.state("cbp")
    assert state is not None and not state.held


def test_poll_command_reports_json_and_exits_zero_when_sources_fail(
    tmp_path: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    _serve(http_server, range(1, 3))
    http_server.route("/gone.xml", status=410, body="gone")
    _config(tmp_path, http_server, {"good": "/feed.xml", "gone": "/gone.xml"})
    cfg_path = str(tmp_path / "config.toml")
    assert main(["--config", cfg_path, "poll", "--json", "--no-publish"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_id = {s["id"]: s for s in report["sources"]}
    assert by_id["good"]["new"] == 2
    assert by_id["gone"]["outcome"] == "failed" and "410" in by_id["gone"]["error"]
    assert report["totals"]["sources_failed"] == 1

    assert main(["--config", cfg_path, "sources", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert {r["id"]: r["failures"] for r in table} == {"good": 0, "gone": 1}
    assert main(["--config", cfg_path, "poll", "--source", "nope"]) == 2


def test_the_daemon_does_not_parse_an_unchanged_body_again_and_records_the_same(
    tmp_path: Path, http_server: Server, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syndicate import parse
    from syndicate.pipeline import documents
    from syndicate.pipeline.memo import Memo

    _serve(http_server, range(1, 5))
    cfg = _config(tmp_path, http_server, {"cbp": "/feed.xml"})
    parses: list[str] = []
    real = parse.items

    def counted(*args: object, **kwargs: object) -> parse.Parsed:
        parses.append("parse")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(documents.parse, "items", counted)
    bodies = Memo()

    def once() -> tuple[object, ...]:
        (r,) = asyncio.run(poll(cfg, store, source_ids=["cbp"], bodies=bodies)).results
        (rec,) = store.polls.recent("cbp", 1)
        (doc,) = store.polls.documents("cbp")
        state = store.sources.state("cbp")
        assert state is not None
        counts = (r.outcome, r.new, r.updated, r.unchanged, r.failed, r.found, r.notes, r.health)
        kept = (rec.outcome, rec.found, rec.pages, rec.bodies, doc.last_items, doc.most_items)
        return counts, kept, (state.last_status, state.failures, state.health, state.items)

    first = once()  # the first poll: briefs, parsed
    assert len(parses) == 1 and first[0][1] == 3
    parsed = once()  # nothing new, parsed: now remembered
    assert len(parses) == 2
    polls_before = store.sources.state("cbp").polls  # type: ignore[union-attr]
    skipped = once()  # the same bytes: not parsed, recorded as the parsed poll was
    assert len(parses) == 2
    assert skipped == parsed
    assert store.sources.state("cbp").polls == polls_before + 1  # type: ignore[union-attr]
    assert len(store.polls.recent("cbp", 10)) == 3

    _serve(http_server, range(1, 6))  # a new release: the changed body is parsed again
    changed = once()
    assert len(parses) == 3 and changed[0][1] == 1
    once()  # after a poll that made a brief, the same body is parsed once more
    assert len(parses) == 4
    once()
    assert len(parses) == 4
