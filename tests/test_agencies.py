"""Publishers beyond the nine: `[[agencies]]` in config.toml adds one (code, full name, site),
and it gets a feed, a web listing, a subscription choice and `syndicate brief` support."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest
from browser_support import running
from store_support import make_brief

from syndicate import config as config_module
from syndicate import store as stores
from syndicate import web
from syndicate.cli import main
from syndicate.errors import ConfigError
from syndicate.pipeline import feednames, feeds

A = "{http://www.w3.org/2005/Atom}"
DOJ = """
[[agencies]]
code = "DOJ"
name = "U.S. Department of Justice"
site = "https://www.justice.gov"

[[sources]]
id = "doj"
name = "Justice News"
agency = "DOJ"
kind = "feed"
url = "https://www.justice.gov/news/rss"
"""
BASE = '[service]\ndata_dir = "data"\n[feeds]\nfsync = false\n'


def _config(tmp_path: Path, extra: str = DOJ) -> config_module.Config:
    path = tmp_path / "config.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    return config_module.load(path)


def test_an_added_agency_is_a_known_publisher(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    assert list(cfg.publishers)[:9] == [
        "DHS",
        "CBP",
        "ICE",
        "USCIS",
        "TSA",
        "FEMA",
        "CISA",
        "USCG",
        "USSS",
    ]
    assert cfg.publishers["DOJ"].name == "U.S. Department of Justice"
    assert cfg.source_list()[0].agency == "DOJ"
    assert "agency/doj" in feednames.feed_names(cfg)


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (
            DOJ.replace('agency = "DOJ"', 'agency = "NSA"'),
            "sources[0] (id 'doj').agency = 'NSA': expected one of DHS, CBP",
        ),
        (
            DOJ.replace('code = "DOJ"', 'code = "doj"'),
            "agencies[0].code = 'doj': expected 2 to 8 upper-case letters",
        ),
        (DOJ.replace('code = "DOJ"', 'code = "CBP"'), "a new code: CBP is built in"),
        (
            DOJ.replace('site = "https://www.justice.gov"', 'site = "justice.gov"'),
            "agencies[0].site",
        ),
        (DOJ.split("[[sources]]")[0] * 2, "an [[agencies]] code is used twice"),
    ],
)
def test_bad_agencies_are_named(tmp_path: Path, extra: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, extra)
    assert says in str(caught.value)


def test_an_added_agency_gets_its_feed_with_its_name(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    cfg.data_dir.mkdir()
    store = stores.open(cfg.database_url)
    try:
        brief = make_brief("b-doj", agency="DOJ", source_name="Justice News")
        with store.begin() as conn:
            store.briefs.upsert(conn, brief, story="s-doj")
        feeds.publish(store, cfg, full=True, now=datetime(2026, 11, 30, tzinfo=UTC))
    finally:
        store.close()
    root = ET.parse(cfg.feeds_dir / "agency" / "doj.atom").getroot()
    assert root.findtext(f"{A}title") == "DHS Briefs: DOJ"
    [entry] = root.findall(f"{A}entry")
    category = entry.find(f"{A}category")
    assert category is not None
    assert (category.get("term"), category.get("label")) == ("DOJ", "U.S. Department of Justice")
    opml = (cfg.feeds_dir / "feeds.opml").read_text("utf-8")
    assert 'xmlUrl="http://127.0.0.1:8080/feeds/agency/doj.atom"' in opml
    assert 'htmlUrl="http://127.0.0.1:8080/agency/doj"' in opml


def test_the_web_side_lists_and_offers_an_added_agency(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    cfg.data_dir.mkdir()
    store = stores.open(cfg.database_url)
    try:
        with store.begin() as conn:
            store.briefs.upsert(conn, make_brief("b-doj", agency="DOJ"), story="s-doj")
        with running(web.app(cfg, store)) as url, httpx.Client(base_url=url) as c:
            listing = c.get("/agency/doj")
            home = c.get("/")
        assert listing.status_code == 200
        assert "<h1>U.S. Department of Justice</h1>" in listing.text
        assert re.search(
            r'<input type="checkbox" name="agencies" id="agency-doj" value="DOJ"', home.text
        )
        assert "U.S. Department of Justice" in home.text
    finally:
        store.close()


def test_subscribers_and_brief_accept_an_added_agency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    path = str(tmp_path / "config.toml")
    assert (
        main(
            [
                "--config",
                path,
                "subscribers",
                "add",
                "a@example.net",
                "--agency",
                "DOJ",
                "--confirmed",
            ]
        )
        == 0
    )
    release = tmp_path / "release.txt"
    release.write_text(
        "Justice Department Announces New Grant Program\n\n"
        "The Justice Department announced a new grant program on Monday for local courts.\n\n"
        "The program opens for applications in January, officials said.\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--config", path, "brief", str(release), "--agency", "doj"]) == 0
    assert "Sources: Justice News." in capsys.readouterr().out  # the configured source's name
    assert main(["--config", path, "brief", str(release), "--agency", "NSA"]) == 1
    assert "unknown agency 'NSA'" in capsys.readouterr().err
    assert cfg.agency_names["DOJ"] == "U.S. Department of Justice"
