"""Items and briefs in the store: identity, edits, one transaction per release, feeds, seq."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa
from store_support import T0, make_brief, make_item

from syndicate.errors import StoreError
from syndicate.model import Article, Block, Link, SourceRef
from syndicate.store import Store, schema
from syndicate.store.briefs import Briefs, feeds_for
from syndicate.store.items import Save

ARTICLE = Article(
    url="https://www.uscis.gov/newsroom/news-releases/guid-1",
    title="USCIS Extends Filing Window for Farm Workers",
    blocks=(
        Block("paragraph", "USCIS extended the filing window by 30 days."),
        Block("list", "", items=("Forms filed by Jan. 15, 2027 are accepted.", "No new fee.")),
    ),
    dateline="WASHINGTON",
    published=T0,
    links=(Link("Form I-129", "https://www.uscis.gov/i-129"),),
)


def _sha(n: int) -> str:
    return f"{n:064x}"


def test_save_new_then_unchanged(store: Store) -> None:
    first = store.items.save(
        make_item(), now=T0, content_sha256=_sha(1), article=ARTICLE, raw=b"<p>"
    )
    assert first == "new"
    again = store.items.save(make_item(), now=T0 + timedelta(hours=1), content_sha256=_sha(1))
    assert again == "unchanged"
    known = store.items.known("uscis", ["guid-1", "guid-2"])
    assert list(known) == ["guid-1"]
    item = known["guid-1"]
    assert (item.content_sha256, item.status, item.versions) == (_sha(1), "new", 1)
    assert item.first_seen_at == T0 and item.updated_at == T0 + timedelta(hours=1)
    assert store.items.article(item.id) == ARTICLE
    assert store.items.raw(item.id) == b"<p>"


def test_an_edit_updates_the_item_and_its_brief_in_place(store: Store) -> None:
    brief = make_brief("b-farm")
    assert store.items.save(make_item(), now=T0, content_sha256=_sha(1), brief=brief) == "new"
    first = store.items.known("uscis", ["guid-1"])["guid-1"]
    assert (first.status, first.brief_id, first.versions) == ("briefed", "b-farm", 1)
    seq_before = store.briefs.max_seq()
    edited_brief = dataclasses.replace(
        brief,
        summary=("USCIS extended the filing window by 45 days.", brief.summary[1]),
        updated=T0 + timedelta(days=1),
    )
    edit = store.items.save(
        make_item(), now=T0 + timedelta(days=1), content_sha256=_sha(2), brief=edited_brief
    )
    assert edit == "updated"
    after = store.items.known("uscis", ["guid-1"])["guid-1"]
    assert (after.id, after.versions, after.content_sha256) == (first.id, 2, _sha(2))
    change = store.briefs.change("b-farm")
    assert change is not None
    assert change.seq > seq_before and change.edits == 1
    assert change.brief == edited_brief
    assert store.briefs.count() == 1  # the same brief, not a second one
    assert store.items.known("uscis", ["guid-1"])["guid-1"].brief_id == "b-farm"


def test_unchanged_brief_keeps_its_seq(store: Store) -> None:
    brief = make_brief()
    store.items.save(make_item(), now=T0, status="briefed", content_sha256=_sha(1), brief=brief)
    seq = store.briefs.max_seq()
    refetched = dataclasses.replace(
        brief, provenance=dataclasses.replace(brief.provenance, fetched_at=T0 + timedelta(days=2))
    )
    with store.begin() as conn:
        assert store.briefs.upsert(conn, refetched, story="b-1") == "unchanged"
    assert store.briefs.max_seq() == seq
    assert store.briefs.get("b-1") == refetched  # the stored JSON is refreshed all the same


def test_a_non_material_change_does_not_take_a_new_seq(store: Store) -> None:
    brief = make_brief()
    with store.begin() as conn:
        store.briefs.upsert(conn, brief, story="s")
    seq = store.briefs.max_seq()
    tweaked = dataclasses.replace(brief, title=brief.title + ".")
    with store.begin() as conn:
        assert store.briefs.upsert(conn, tweaked, story="s", material=False) == "updated"
    change = store.briefs.change("b-1")
    assert change is not None and (change.seq, change.edits) == (seq, 0)
    assert change.brief.title.endswith(".")


def test_status_follows_what_was_saved(store: Store) -> None:
    store.items.save(make_item("a"), now=T0)
    store.items.save(make_item("b"), now=T0, reason="brief: quote not found in the source")
    store.items.save(make_item("c"), now=T0, brief=make_brief())
    known = store.items.known("uscis", ["a", "b", "c"])
    assert [(known[k].status, known[k].reason) for k in "abc"] == [
        ("new", None),
        ("rejected", "brief: quote not found in the source"),
        ("briefed", None),
    ]


def test_the_callers_material_hash_decides_what_changed(store: Store) -> None:
    brief = make_brief()
    with store.begin() as conn:
        store.briefs.upsert(conn, brief, story="s", material_hash=_sha(7))
        retitled = dataclasses.replace(brief, title="A New Title")
        # The brief stage says nothing material changed: no new seq, no edit.
        assert store.briefs.upsert(conn, retitled, story="s", material_hash=_sha(7)) == (
            "unchanged"
        )
        assert store.briefs.upsert(conn, retitled, story="s", material_hash=_sha(8)) == ("updated")
    change = store.briefs.change("b-1")
    assert change is not None and (change.seq, change.edits) == (2, 1)
    assert change.brief.title == "A New Title"


def test_item_is_seen_only_together_with_its_brief(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Briefs, *args: object) -> None:
        raise RuntimeError("disk full while writing brief_feeds")

    # The brief row is already written when this fails: everything must roll back.
    monkeypatch.setattr(Briefs, "_sync_feeds", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        store.items.save(
            make_item(), now=T0, status="briefed", content_sha256=_sha(1), brief=make_brief()
        )
    assert store.items.known("uscis", ["guid-1"]) == {}
    assert store.briefs.get("b-1") is None
    assert store.briefs.max_seq() == 0


def test_source_and_key_are_unique(store: Store) -> None:
    store.items.save(make_item("k"), now=T0, status="new")
    store.items.save(make_item("k", source_id="cisa"), now=T0, status="new")  # other source: ok
    row = {
        "source_id": "uscis",
        "key": "k",
        "url": "https://example.invalid/",
        "title": "t",
        "first_seen_at": T0,
        "updated_at": T0,
        "status": "new",
        "versions": 1,
    }
    unique = pytest.raises(StoreError, match=r"^store: write failed: .*(UNIQUE|unique)")
    with unique, store.begin() as conn:
        conn.execute(sa.insert(schema.items).values(**row))
    assert store.items.count("uscis") == 1


def test_known_handles_many_keys_and_find_by_url(store: Store) -> None:
    keys = [f"node/{n}" for n in range(1200)]
    with store.begin() as conn:
        conn.execute(
            sa.insert(schema.items),
            [
                {
                    "source_id": "cisa",
                    "key": k,
                    "url": f"https://www.cisa.gov/{k}",
                    "title": k,
                    "first_seen_at": T0,
                    "updated_at": T0,
                    "status": "briefed",
                    "versions": 1,
                }
                for k in keys[::2]
            ],
        )
    known = store.items.known("cisa", keys)
    assert sorted(known) == sorted(keys[::2])
    found = store.items.find_by_url("https://www.cisa.gov/node/10")
    assert found is not None and (found.source_id, found.key) == ("cisa", "node/10")
    assert store.items.find_by_url("https://www.cisa.gov/node/11") is None


def test_held_items_wait_for_release(store: Store) -> None:
    for key in ("a", "b"):
        store.items.save(make_item(key), now=T0, status="held", reason="flood: 40 new ids")
    store.items.save(make_item("c"), now=T0, status="new")
    assert [i.key for i in store.items.with_status("held", source_id="uscis")] == ["a", "b"]
    assert store.items.release_held("uscis") == 2
    assert [i.key for i in store.items.with_status("new")] == ["a", "b", "c"]
    failed = store.items.with_status("new")[0]
    store.items.set_status(failed.id, "failed", "extract: no usable body")
    item = store.items.get(failed.id)
    assert item is not None and (item.status, item.reason) == ("failed", "extract: no usable body")


def test_one_story_from_two_agencies_is_one_brief_with_two_sources(store: Store) -> None:
    dhs = make_brief(
        "b-mou", agency="DHS", source_name="U.S. Department of Homeland Security",
        sources=(SourceRef("U.S. Department of Homeland Security", "https://www.dhs.gov/news/2026/11/02/mou"),),
    )  # fmt: skip
    store.items.save(
        make_item("dhs-1", source_id="dhs"), now=T0, status="briefed", brief=dhs, story="mou"
    )
    story = store.briefs.find_story("mou")
    assert story == dhs
    merged = dataclasses.replace(
        story, sources=(*story.sources, SourceRef("U.S. Citizenship and Immigration Services",
        "https://www.uscis.gov/newsroom/news-releases/mou"))
    )  # fmt: skip
    seq = store.briefs.max_seq()
    saved = store.items.save(
        make_item("uscis-9"), now=T0, status="briefed", brief=merged, story="mou",
        feeds=[*feeds_for(merged), "agency/uscis"],
    )  # fmt: skip
    assert saved == "new"  # a new item on the second source...
    assert store.briefs.count() == 1  # ...whose brief is the story's existing one, updated
    stored = store.briefs.change("b-mou")
    assert stored is not None and len(stored.brief.sources) == 2
    assert stored.seq > seq  # a second source is a material change: feeds show it
    assert [b.id for b in store.briefs.latest(10, feed="agency/uscis")] == ["b-mou"]
    assert [b.id for b in store.briefs.latest(10, feed="agency/dhs")] == ["b-mou"]
    brief_ids = {i.brief_id for i in store.items.with_status("briefed")}
    assert brief_ids == {"b-mou"}


def test_latest_and_count_per_feed(store: Store) -> None:
    briefs = [
        make_brief("b-old", agency="CISA", topics=("cybersecurity",), published=T0),
        make_brief("b-mid", agency="FEMA", topics=("disaster-response",),
                   published=T0 + timedelta(hours=1)),
        make_brief("b-new", agency="CISA", topics=("cybersecurity", "international-cooperation"),
                   published=T0 + timedelta(hours=2)),
    ]  # fmt: skip
    with store.begin() as conn:
        for b in briefs:
            assert store.briefs.upsert(conn, b, story=b.id) == "new"
    assert [b.id for b in store.briefs.latest(10)] == ["b-new", "b-mid", "b-old"]
    assert [b.id for b in store.briefs.latest(1, 1)] == ["b-mid"]
    assert [b.id for b in store.briefs.latest(10, feed="agency/cisa")] == ["b-new", "b-old"]
    assert store.briefs.count() == 3
    assert store.briefs.count("agency/cisa") == 2
    assert store.briefs.count("topic/cybersecurity") == 2
    assert store.briefs.count("topic/maritime") == 0
    assert store.briefs.feed_names() == [
        "agency/cisa",
        "agency/fema",
        "all",
        "topic/cybersecurity",
        "topic/disaster-response",
        "topic/international-cooperation",
    ]
    # A brief whose topics change leaves the feeds it no longer belongs to.
    with store.begin() as conn:
        retopic = dataclasses.replace(briefs[2], topics=("cybersecurity",))
        assert store.briefs.upsert(conn, retopic, story="b-new") == "updated"
    assert store.briefs.count("topic/international-cooperation") == 0


def test_seq_orders_changes(store: Store) -> None:
    assert store.briefs.max_seq() == 0
    with store.begin() as conn:
        store.briefs.upsert(conn, make_brief("b-1"), story="1")
        store.briefs.upsert(conn, make_brief("b-2", agency="CISA", topics=()), story="2")
    mark = store.briefs.max_seq()
    assert mark == 2
    assert store.briefs.since(mark) == []
    with store.begin() as conn:
        store.briefs.upsert(conn, make_brief("b-1", title="USCIS Extends the Window"), story="1")
    changes = store.briefs.changes(mark)
    assert [(c.seq, c.edits, c.brief.id) for c in changes] == [(3, 1, "b-1")]
    assert [b.id for b in store.briefs.since(0)] == ["b-2", "b-1"]
    assert [b.id for b in store.briefs.since(0, feed="agency/cisa")] == ["b-2"]


def test_a_batch_keeps_the_releases_around_one_that_fails(store: Store) -> None:
    """One transaction per source, a savepoint per release: a write that fails is rolled
    back alone, and its release stays unseen (so the next poll takes it again)."""
    bad = dataclasses.replace(make_item("k2"), title=None)  # type: ignore[arg-type]  # NOT NULL
    saves = [
        Save(make_item("k1"), T0, brief=make_brief("b-1"), content_sha256=_sha(1)),
        Save(bad, T0, brief=make_brief("b-2"), content_sha256=_sha(2)),
        Save(make_item("k3"), T0, brief=make_brief("b-3"), content_sha256=_sha(3)),
    ]
    outcomes = store.items.save_many(saves)
    assert outcomes[0] == "new" and outcomes[2] == "new"
    assert isinstance(outcomes[1], StoreError) and "cannot save" in str(outcomes[1])
    assert set(store.items.known("uscis", ["k1", "k2", "k3"])) == {"k1", "k3"}
    assert store.briefs.get("b-1") is not None and store.briefs.get("b-3") is not None
    assert store.briefs.get("b-2") is None  # its brief went with it: never seen without one


def test_a_batch_cut_short_stores_none_of_it(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash before the batch commits (here an unexpected error on the second brief; a
    SIGKILL is the same to the database) leaves every release of it unseen: nothing lost."""
    upsert, calls = Briefs.upsert, []

    def failing(self: Briefs, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return upsert(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Briefs, "upsert", failing)
    saves = [Save(make_item(f"k{n}"), T0, brief=make_brief(f"b-{n}")) for n in (1, 2, 3)]
    with pytest.raises(RuntimeError):
        store.items.save_many(saves)
    assert store.items.known("uscis", ["k1", "k2", "k3"]) == {}
    assert store.briefs.get("b-1") is None
    monkeypatch.undo()
    assert store.items.save_many(saves) == ["new", "new", "new"]  # the retry takes them all


def test_a_batch_meeting_one_key_twice_updates_it(store: Store) -> None:
    first = Save(make_item("k1"), T0, content_sha256=_sha(1))
    second = Save(make_item("k1"), T0 + timedelta(hours=1), content_sha256=_sha(2))
    assert store.items.save_many([first, second]) == ["new", "updated"]
    assert store.items.known("uscis", ["k1"])["k1"].versions == 2
