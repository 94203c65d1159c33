"""`syndicate publish [--all]` through the CLI's main(argv), on a config file in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import make_brief

from syndicate import store as stores
from syndicate.cli import main


def test_publish_then_publish_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[service]\nbase_url = "https://briefs.example.org"\ndata_dir = "data"\n'
        '[feeds]\ndir = "public/feeds"\nfsync = false\n',
        encoding="utf-8",
    )
    store = stores.open(f"sqlite:///{tmp_path / 'data' / 'syndicate.db'}")
    try:
        with store.begin() as conn:
            store.briefs.upsert(conn, make_brief("b-cli"), story="s")
    finally:
        store.close()

    assert main(["--config", str(path), "publish"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("publish: 22 feeds rebuilt")
    feed = tmp_path / "data" / "public" / "feeds" / "agency" / "uscis.atom"  # under data_dir
    assert b"https://briefs.example.org/briefs/b-cli" in feed.read_bytes()
    stamp = feed.stat().st_mtime_ns

    assert main(["--config", str(path), "publish"]) == 0
    assert capsys.readouterr().out.startswith("publish: 0 feeds rebuilt, 0 files written")

    assert main(["--config", str(path), "publish", "--all"]) == 0
    out = capsys.readouterr().out
    assert "0 files written" in out and "22 feeds rebuilt" in out
    assert feed.stat().st_mtime_ns == stamp


def test_publish_with_a_bad_config_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[feeds]\nentries = 0\n", encoding="utf-8")
    assert main(["--config", str(path), "publish"]) == 2
    assert "feeds.entries" in capsys.readouterr().err
    assert not (tmp_path / "data" / "feeds").exists()
