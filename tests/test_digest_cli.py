"""`syndicate digest` through `cli.main`: dry run, preview, sending, a second run."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from smtp_support import put_briefs
from store_support import make_brief

from syndicate import store as stores
from syndicate.cli import main

BRIEFS = (
    make_brief(
        "ice-1",
        title="ICE Removes Fugitive Wanted for Fraud in Brazil",
        agency="ICE",
        topics=("law-enforcement",),
    ),
    make_brief(
        "cisa-1",
        title="CISA Adds Two Known Exploited Vulnerabilities to Catalog",
        agency="CISA",
        topics=("cybersecurity",),
    ),
)


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SYNDICATE_SECRET", "cli-test-secret")
    path = tmp_path / "config.toml"
    path.write_text(
        '[service]\ndata_dir = "data"\nbase_url = "https://briefs.example.org"\n'
        '[mail]\nfrom = "DHS Briefs <briefs@example.org>"\n',
        encoding="utf-8",
    )
    assert (
        main(["--config", str(path), "subscribers", "add", "ana@example.net", "--confirmed"]) == 0
    )
    assert (
        main(
            [
                "--config",
                str(path),
                "subscribers",
                "add",
                "bo@example.net",
                "--confirmed",
                "--agency",
                "CISA",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "--config",
                str(path),
                "subscribers",
                "add",
                "cy@example.net",
                "--confirmed",
                "--agency",
                "USCG",
            ]
        )
        == 0
    )
    store = stores.open(f"sqlite:///{tmp_path / 'data' / 'syndicate.db'}")
    try:
        put_briefs(store, *BRIEFS)
    finally:
        store.close()
    return str(path)


def _maildir(cfg: str) -> list[bytes]:
    box = mailbox.Maildir(Path(cfg).parent / "data" / "maildir", create=False)
    return [bytes(m) for m in box]


def test_dry_run_says_who_gets_what_and_sends_nothing(
    cfg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--config", cfg, "digest", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sorted(line.split(" to ")[1] for line in out if line.startswith("would send")) == [
        "ana@example.net (2 briefs)",
        "bo@example.net (1 brief)",
    ]
    assert out[-1] == "digest: 2 message(s) would be sent (dry run)"
    assert not (Path(cfg).parent / "data" / "maildir").exists()
    # Nothing was recorded: the real run still has everything to send.
    assert main(["--config", cfg, "digest"]) == 0
    assert "made 2, sent 2" in capsys.readouterr().out
    assert len(_maildir(cfg)) == 2


def test_preview_prints_what_the_subscriber_would_receive(
    cfg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--config", cfg, "digest", "preview", "bo@example.net"]) == 0
    text = capsys.readouterr().out
    assert "Subject: DHS Briefs: 1 new release" in text
    assert BRIEFS[1].title in text and BRIEFS[0].title not in text
    assert main(["--config", cfg, "digest", "preview", "ANA@example.net", "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert html.startswith("<!DOCTYPE html>")
    assert BRIEFS[0].title in html and BRIEFS[1].title in html
    assert main(["--config", cfg, "digest", "preview", "cy@example.net"]) == 0
    assert "nothing new for cy@example.net" in capsys.readouterr().err
    assert main(["--config", cfg, "digest", "preview", "nobody@example.net"]) == 1
    assert not (Path(cfg).parent / "data" / "maildir").exists()  # a preview sends nothing


def test_a_second_run_sends_nothing_new(cfg: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", cfg, "digest", "--cadence", "daily"]) == 0
    assert main(["--config", cfg, "digest"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("digest: made 0, sent 0")
    assert len(_maildir(cfg)) == 2
    assert main(["--config", cfg, "digest", "preview", "ana@example.net"]) == 0
    assert "nothing new" in capsys.readouterr().err
