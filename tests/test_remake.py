"""`syndicate briefs remake`: stored briefs re-made with today's extraction and engine, on
SQLite and PostgreSQL. A brief whose content changes is stored as an update (same id, same
`published`, `updated` moves, a new seq and one more edit); one that reads the same keeps its
seq; one that can no longer be made keeps its stored version."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from store_support import T0, empty

from syndicate import brief, extract
from syndicate import store as stores
from syndicate.cli import main
from syndicate.config import parse
from syndicate.model import Article, Block, Brief, Item, Provenance, Section, Source
from syndicate.pipeline.keys import feed_names, story
from syndicate.pipeline.remake import remake
from syndicate.store import Store

CORPUS = Path(__file__).parent / "data" / "corpus"
NOW = T0 + timedelta(days=10)
NOGALES = "https://www.cbp.gov/newsroom/local-media-release/cbp-officers-seize-more-90-pounds-fentanyl-hidden-pickup-nogales"
CONFIG = parse("")


@pytest.fixture
def st(store_url: str) -> Iterator[Store]:
    opened = stores.open(store_url, clock=lambda: NOW)
    empty(opened)  # the PostgreSQL database is shared by the session
    yield opened
    opened.close()


def _save(st: Store, key: str, url: str, article: Article, made: Brief, raw: bytes | None) -> None:
    item = Item("cbp", key, made.title, url, guid=key, published=made.published)
    st.items.save(
        item,
        now=T0,
        article=article,
        raw=raw,
        content_sha256=brief.content_sha256(article),
        brief=made,
        story=story(item.title, made.published),
        feeds=feed_names(made),
        material_hash=brief.material_hash(made),
    )


def _current(article: Article, brief_id: str) -> Brief:
    return brief.make(
        article,
        id=brief_id,
        source=Source("cbp", "CBP", "CBP", "page", ""),
        attribution=CONFIG.attribution.attribution(),
        fetched_at=T0,
        published=T0,
    )


def _old(made: Brief) -> Brief:
    """The brief as an older engine made it: the contact line was its standfirst."""
    contact = "Contact: CBP Tucson Field Office Public Affairs Office: (520) 555-0171"
    return dataclasses.replace(
        made,
        summary=(contact, made.summary[0]),
        sections=(Section("Overview", made.sections[0].paragraphs),),
        provenance=Provenance(T0, made.provenance.content_sha256, "extractive/1.2"),
    )


def _stored(st: Store) -> None:
    page = (CORPUS / "cbp-fentanyl-nogales" / "page.html").read_bytes()
    fresh = extract.article(page, url=NOGALES)
    _save(st, "old", NOGALES, fresh, _old(_current(fresh, "b-old")), page)
    text = (CORPUS / "cbp-currency-jfk" / "release.txt").read_text("utf-8")
    kept = dataclasses.replace(extract.from_text(text, "https://www.cbp.gov/x"), origin="feed")
    _save(st, "same", "https://www.cbp.gov/x", kept, _current(kept, "b-same"), None)
    bare = Article(
        "https://www.cbp.gov/y",
        "Gone",
        (Block("paragraph", "Five words are not a brief here."),),
        origin="feed",
    )
    made = dataclasses.replace(_current(kept, "b-gone"), title="Gone", url=bare.url)
    _save(st, "gone", bare.url, dataclasses.replace(bare, blocks=()), made, None)


def test_remake_updates_changed_briefs_and_keeps_the_rest(st: Store) -> None:
    _stored(st)
    before = {b: st.briefs.change(b) for b in ("b-old", "b-same", "b-gone")}
    summary = remake(CONFIG, st)
    outcomes = {r.brief_id: r.outcome for r in summary.results}
    assert outcomes == {"b-old": "updated", "b-same": "unchanged", "b-gone": "failed"}
    assert summary.changed
    reason = next(r.reason for r in summary.results if r.brief_id == "b-gone")
    assert reason and reason.startswith("brief: no text to brief")

    old = st.briefs.change("b-old")
    assert old is not None and before["b-old"] is not None
    assert old.brief.id == "b-old" and old.brief.published == T0  # an update, not a new brief
    assert old.brief.updated == NOW
    assert old.seq > before["b-old"].seq and old.edits == before["b-old"].edits + 1
    assert old.brief.provenance.engine == "extractive/2.0"
    assert old.brief.provenance.fetched_at == T0
    assert not any("Contact:" in s for s in old.brief.summary)
    assert old.brief.provenance.cited  # the new engine's citations are kept

    same, was = st.briefs.change("b-same"), before["b-same"]
    assert same is not None and was is not None
    assert (same.seq, same.edits, same.brief.updated) == (was.seq, was.edits, was.brief.updated)
    gone = st.briefs.change("b-gone")
    assert gone is not None and gone.brief == before["b-gone"].brief  # type: ignore[union-attr]


def test_dry_run_and_since_write_nothing_they_should_not(st: Store) -> None:
    _stored(st)
    seq = st.briefs.max_seq()
    dry = remake(CONFIG, st, dry_run=True)
    assert {r.outcome for r in dry.results} == {"updated", "unchanged", "failed"}
    assert not dry.changed and st.briefs.max_seq() == seq
    assert st.briefs.get("b-old").summary[0].startswith("Contact:")  # type: ignore[union-attr]
    later = remake(CONFIG, st, since=T0 + timedelta(days=1))
    assert later.results == [] and st.briefs.max_seq() == seq


def test_the_command(
    st: Store, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stored(st)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[service]\ndata_dir = "{tmp_path / "data"}"\n[database]\nurl = "{store_url}"\n',
        "utf-8",
    )
    assert main(["--config", str(config), "briefs", "remake", "--json", "--no-publish"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["totals"] == {"updated": 1, "unchanged": 1, "failed": 1}
    assert main(["--config", str(config), "briefs", "remake", "--dry-run", "--no-publish"]) == 0
    text = capsys.readouterr().out
    assert "3 briefs; 0 would be updated, 2 unchanged, 1 could not be re-made" in text
    with pytest.raises(SystemExit) as bad:
        main(["--config", str(config), "briefs", "remake", "--since", "2026-13-01"])
    assert bad.value.code == 2 and "is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    assert main(["--config", str(config), "briefs"]) == 2  # the group alone shows its help


def test_a_stored_article_is_cleaned_by_todays_rules() -> None:
    stored = Article(
        "https://www.fema.gov/x",
        "Title",
        (
            Block("paragraph", "Contact: FEMA News Desk, (202) 555-0100"),
            Block("paragraph", "DENTON, Texas – FEMA opened two recovery centers on Monday."),
            Block(
                "paragraph", "FEMA’s mission is helping people before, during, and after disasters."
            ),
        ),
    )
    cleaned = extract.retidy(stored)
    assert [b.text for b in cleaned.blocks] == ["FEMA opened two recovery centers on Monday."]
    assert cleaned.dateline == "DENTON, Texas"
