"""`syndicate inspect`, run through `syndicate.cli.main` as an operator would run it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from server import Server

from syndicate import parse
from syndicate.cli import main

FEEDS = Path(__file__).parent / "data" / "feeds"
HOSTILE = {
    "entity-bomb": "parse: refused a document with a DOCTYPE internal subset",
    "malformed": "parse: malformed feed with no usable items",
    "login": "parse: not a feed (looks like an HTML page titled 'Sign In | Agency Content Portal')",
    "challenge": "parse: not a feed (looks like an HTML page titled 'Access Denied')",
    "empty": "parse: empty document",
    "json-error": "parse: not a feed (JSON without",
}


def test_a_feed_file(capsys: pytest.CaptureFixture[str]) -> None:
    cisa = FEEDS / "cisa" / "input.xml"
    status = main(["inspect", str(cisa), "--base", "https://www.cisa.gov/news.xml"])
    out = capsys.readouterr().out
    assert status == 0
    assert f"{cisa}: rss 'CISA News', 3 items" in out
    assert "key  https://cisa.gov/node/24817" in out
    assert "2026-11-13 14:05Z CISA Adds Three Known Exploited Vulnerabilities to Catalog" in out
    # Oldest first.
    assert out.index("node/24755") < out.index("node/24790") < out.index("node/24817")
    assert out.rstrip().endswith("1 document: 1 read, 0 rejected")


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    files = [FEEDS / "uscis" / "input.xml", FEEDS / "empty" / "input.xml"]
    status = main(["inspect", "--json", *map(str, files)])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    uscis, empty = report
    assert uscis["ok"] is True and uscis["kind"] == "rss" and uscis["ttl_minutes"] == 30
    assert [i["key"] for i in uscis["items"]] == [
        "c0ffee12-3456-4789-abcd-ef0123456789",
        "a81f3c52-0d6e-4f1b-b7c9-2e4d5f6a7b80",
        "3f2b8c1d-7e4a-4b9c-9d21-6a5e0f3c8b47",
    ]
    assert uscis["items"][0]["published"] == "2026-09-14T13:00:00+00:00"
    assert empty == {
        "document": str(files[1]),
        "kind": "feed",
        "ok": False,
        "error": "parse: empty document (only white space)",
        "notes": [],
    }


def test_listing_page_by_suffix_with_dhs_selectors(capsys: pytest.CaptureFixture[str]) -> None:
    page = FEEDS / "dhs-listing" / "input.html"
    status = main(["inspect", str(page), "--base", "https://www.dhs.gov/news-releases"])
    out = capsys.readouterr().out
    assert status == 0
    assert "page 'Press Releases | Homeland Security', 3 items" in out
    assert (
        "key  https://dhs.gov/news/2026/11/24/secretary-announces-new-port-security-grants" in out
    )


def test_listing_page_with_own_selectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "uscg.txt"
    page.write_text(
        "<html><body><ul class='press'>"
        "<li class='item'><a href='/Press-Releases/Article/41/'>Cutter Returns Home</a>"
        "<span class='when'>Nov. 18, 2026</span></li>"
        "<li class='item'><a href='/Press-Releases/Article/42/'>Crew Rescues Boater</a>"
        "<span class='when'>Nov. 19, 2026</span></li></ul></body></html>",
        encoding="utf-8",
    )
    args = ["inspect", str(page), "--kind", "page", "--item", "li.item", "--link", "a"]
    args += ["--title", "a", "--date", ".when", "--base", "https://www.news.uscg.mil/"]
    status = main(args)
    out = capsys.readouterr().out
    assert status == 0
    assert "2026-11-18 05:00Z Cutter Returns Home" in out
    assert "key  https://news.uscg.mil/Press-Releases/Article/42" in out
    # The DHS defaults find nothing on this page, and say so.
    assert main(["inspect", str(page), "--kind", "page"]) == 1
    assert "REJECTED parse: no items matched selector 'li.usa-collection__item, .views-row" in (
        capsys.readouterr().out
    )


def test_a_directory_of_hostile_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = tmp_path / "hostile"
    (hostile / "nested").mkdir(parents=True)
    for case in HOSTILE:
        (source,) = (FEEDS / case).glob("input.*")
        shutil.copy(source, hostile / f"{case}{source.suffix}")
    (hostile / "nested" / "binary.xml").write_bytes(bytes(range(256)) * 40)
    (hostile / "nested" / "zero.xml").write_bytes(b"")
    (hostile / "nested" / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (hostile / "nested" / "garbage.html").write_bytes(b"\xff\xfe\x00<\x00h\x00" * 1000)
    status = main(["inspect", str(hostile)])
    out = capsys.readouterr().out
    assert status == 1
    lines = {line.split(": ", 1)[0]: line for line in out.splitlines() if "REJECTED" in line}
    for case, reason in HOSTILE.items():
        (source,) = (FEEDS / case).glob("input.*")
        assert reason in lines[str(hostile / f"{case}{source.suffix}")]
    for name in ("binary.xml", "zero.xml", "deep.json", "garbage.html"):
        assert "REJECTED parse: " in lines[str(hostile / "nested" / name)], out
    assert out.rstrip().endswith(
        f"{len(HOSTILE) + 4} documents: 0 read, {len(HOSTILE) + 4} rejected"
    )


def test_one_crash_does_not_hide_the_rest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = parse.items

    def flaky(body: bytes, **kw: object) -> parse.Parsed:
        if b"FEMA" in body:
            raise RuntimeError("parser bug")
        return real(body, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(parse, "items", flaky)
    files = [FEEDS / "fema" / "input.xml", FEEDS / "uscis" / "input.xml"]
    status = main(["inspect", *map(str, files)])
    out = capsys.readouterr().out
    assert status == 1
    assert f"{files[0]}: REJECTED inspect: unexpected RuntimeError: parser bug" in out
    assert f"{files[1]}: rss 'USCIS News Releases', 3 items" in out


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "nope.xml")]) == 1
    assert "REJECTED inspect: cannot read" in capsys.readouterr().out


def test_urls_through_the_fetcher(
    http_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = (FEEDS / "fema" / "input.xml").read_bytes()
    listing = (FEEDS / "dhs-listing" / "input.html").read_bytes()
    login = (FEEDS / "login" / "input.xml").read_bytes()
    http_server.route("/feeds/news.rss", body=feed, headers={"Content-Type": "application/rss+xml"})
    http_server.route("/news", body=listing, headers={"Content-Type": "text/html; charset=utf-8"})
    http_server.route("/rss/denied", body=login, headers={"Content-Type": "text/html"})
    config = tmp_path / "config.toml"
    config.write_text(
        "[fetch]\nhost_spacing = 0\nallow_private = true\n\n"
        "[[sources]]\n"
        'id = "dhs"\nname = "DHS"\nagency = "DHS"\nkind = "page"\n'
        f'url = "{http_server.url("/news")}"\n'
        "[sources.listing]\n"
        'item = ".views-row"\nlink = "a[href*=\'/news/\']"\ntitle = "h3"\ndate = "time"\n',
        encoding="utf-8",
    )
    urls = [http_server.url(p) for p in ("/feeds/news.rss", "/news", "/rss/denied", "/gone")]
    status = main(["--config", str(config), "inspect", *urls])
    out = capsys.readouterr().out
    assert status == 1
    assert f"{urls[0]}: rss 'FEMA News Releases', 2 items" in out
    # The configured source's kind and selectors are used for its URL.
    assert f"{urls[1]} (configured source 'dhs'): page" in out
    assert f"key  {parse.normalise_url(http_server.url('/news/2026/11/24/'))}" in out
    assert f"{urls[2]}: REJECTED parse: not a feed (looks like an HTML page titled" in out
    assert f"{urls[3]}: REJECTED fetch: 404" in out
    assert all(r.headers["user-agent"].startswith("syndicate/") for r in http_server.log)
