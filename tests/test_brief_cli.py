"""`syndicate brief` through `cli.main`: text files, HTML pages (through extract) and URLs
(through fetch, served for real on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from brief_support import BRIEFS
from server import Server

from syndicate.cli import main

ARTICLES = Path(__file__).parent / "data" / "articles"
PAGES = sorted(p.name for p in ARTICLES.glob("*") if (p / "page.html").is_file())


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[fetch]\nhost_spacing = 0\nrespect_robots = false\nallow_private = true\n\n"
        '[attribution]\nprepared_by = "Prepared by the test desk."\n',
        encoding="utf-8",
    )
    return path


def test_text_file(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = BRIEFS / "ecuador-mou" / "release.txt"
    assert main(["--config", str(cfg), "brief", str(release)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Secretary Noem Visits Ecuador")
    assert "“In the war against drugs and crime, information is our strongest weapon,” said " \
        "Secretary Kristi Noem." in out  # fmt: skip
    assert "Sources: U.S. Department of Homeland Security." in out
    assert out.rstrip().endswith("Prepared by the test desk.")


def test_agency_option_and_json(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = BRIEFS / "cbp-seizure" / "release.txt"
    assert main(["--config", str(cfg), "brief", str(release), "--agency", "CBP", "--format",
                 "json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["agency"] == "CBP"
    assert data["sources"][0]["name"] == "U.S. Customs and Border Protection"


@pytest.mark.parametrize("case", PAGES)
def test_html_pages_through_extract(
    case: str, cfg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = ARTICLES / case / "page.html"
    assert main(["--config", str(cfg), "brief", str(page), "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert html.startswith('<div class="brief">') and "<script" not in html
    assert '<p class="standfirst">' in html


def test_ecuador_page_through_extract(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = ARTICLES / "dhs-ecuador-mou" / "page.html"
    assert main(["--config", str(cfg), "brief", str(page), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "> “In the war against drugs and crime, information is our strongest weapon,” said " \
        "Secretary Kristi Noem." in out  # fmt: skip
    assert "said Secretary Kristi Noem." in out.split("The National Targeting Center works")[1]


def test_url_through_fetch(
    cfg: Path, http_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (ARTICLES / "cbp-seizure" / "page.html").read_bytes()
    http_server.route("/release", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    url = http_server.url("/release")
    assert main(["--config", str(cfg), "brief", url, "--agency", "CBP"]) == 0
    out = capsys.readouterr().out
    assert "Sources: U.S. Customs and Border Protection." in out
    assert url in out
    assert http_server.log[-1].headers["user-agent"].startswith("syndicate/")


def test_errors_are_one_line(cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg), "brief", str(tmp_path / "missing.txt")]) == 1
    assert capsys.readouterr().err.startswith("error: brief: cannot read")
    empty = tmp_path / "title-only.txt"
    empty.write_text("Statement on Recent Events\n", encoding="utf-8")
    assert main(["--config", str(cfg), "brief", str(empty)]) == 1
    assert "error: brief: no text to brief" in capsys.readouterr().err
