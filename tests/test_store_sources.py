"""Source polling state in the store: successes, 304s, failures, holds, what is due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from store_support import T0, make_item

from syndicate.errors import StoreError
from syndicate.model import Validators
from syndicate.store import Store
from syndicate.store.polls import PollRecord
from syndicate.store.sources import RELEASED

FEED = "https://www.uscis.gov/news/rss-feed/59144"


def _success(store: Store, minutes: int = 0, **changes: object) -> None:
    values: dict[str, object] = {
        "url": FEED,
        "now": T0 + timedelta(minutes=minutes),
        "validators": Validators(etag='W/"r1"', last_modified="Mon, 02 Nov 2026 14:00:00 GMT"),
        "next_poll_at": T0 + timedelta(minutes=minutes + 15),
        "status": 200,
    }
    values.update(changes)
    store.sources.record_success("uscis", **values)  # type: ignore[arg-type]


def test_unknown_source_has_no_state(store: Store) -> None:
    assert store.sources.state("uscis") is None
    assert store.sources.all() == []


def test_success_records_validators_and_schedule(store: Store) -> None:
    _success(store)
    state = store.sources.state("uscis")
    assert state is not None
    assert (state.url, state.moved_to, state.last_status) == (FEED, None, 200)
    assert state.validators == Validators('W/"r1"', "Mon, 02 Nov 2026 14:00:00 GMT")
    assert state.last_poll_at == state.last_success_at == T0
    assert state.next_poll_at == T0 + timedelta(minutes=15)
    assert (state.polls, state.failures, state.items) == (1, 0, 0)


def test_failures_count_up_and_a_success_resets_them(store: Store) -> None:
    for n in (1, 2, 3):
        count = store.sources.record_failure(
            "uscis",
            url=FEED,
            now=T0 + timedelta(minutes=n),
            error=f"fetch: 503 from {FEED}",
            status=503,
            next_poll_at=T0 + timedelta(hours=n),
        )
        assert count == n
    failed = store.sources.state("uscis")
    assert failed is not None
    assert (failed.failures, failed.last_status, failed.polls) == (3, 503, 3)
    assert failed.last_error == f"fetch: 503 from {FEED}"
    assert failed.last_success_at is None  # never succeeded
    _success(store, minutes=10)
    ok = store.sources.state("uscis")
    assert ok is not None
    assert (ok.failures, ok.last_error, ok.last_status, ok.polls) == (0, None, 200, 4)


def test_not_modified_is_a_success_that_keeps_validators(store: Store) -> None:
    _success(store)
    store.sources.record_failure(
        "uscis", url=FEED, now=T0, error="fetch: timed out", status=None, next_poll_at=T0
    )
    store.sources.record_not_modified(
        "uscis", now=T0 + timedelta(hours=1), next_poll_at=T0 + timedelta(hours=2)
    )
    state = store.sources.state("uscis")
    assert state is not None
    assert (state.last_status, state.failures, state.polls) == (304, 0, 3)
    assert state.validators.etag == 'W/"r1"'
    assert state.last_success_at == T0 + timedelta(hours=1)


def test_not_modified_for_a_never_polled_source_is_an_error(store: Store) -> None:
    with pytest.raises(StoreError, match="never polled"):
        store.sources.record_not_modified("uscis", now=T0, next_poll_at=T0)


def test_a_permanent_redirect_is_remembered_until_replaced(store: Store) -> None:
    _success(store, moved_to="https://www.uscis.gov/news/rss-feed/60000")
    _success(store, minutes=20)  # moved_to=None keeps what was learned
    state = store.sources.state("uscis")
    assert state is not None and state.moved_to == "https://www.uscis.gov/news/rss-feed/60000"


def test_hold_and_release(store: Store) -> None:
    with pytest.raises(StoreError, match="no state for source 'uscis'"):
        store.sources.hold("uscis", "40 new ids at once")
    _success(store)
    store.sources.hold("uscis", "40 new ids at once (usual: 2)")
    held = store.sources.state("uscis")
    assert held is not None and held.held_reason == "40 new ids at once (usual: 2)"
    assert held.held
    # Polls while held keep the hold.
    _success(store, minutes=20)
    still = store.sources.state("uscis")
    assert still is not None and still.held
    # A release lets the next successful poll take the flood once, then it is gone.
    store.sources.release("uscis")
    released = store.sources.state("uscis")
    assert released is not None and released.held_reason == RELEASED and not released.held
    store.sources.record_failure(
        "uscis", url=FEED, now=T0, error="fetch: 502", status=502, next_poll_at=T0
    )
    failed = store.sources.state("uscis")
    assert failed is not None and failed.held_reason == RELEASED  # not yet taken
    _success(store, minutes=40)
    taken = store.sources.state("uscis")
    assert taken is not None and taken.held_reason is None


def test_due_sources(store: Store) -> None:
    _success(store)  # next poll at T0 + 15 min
    store.sources.record_failure(
        "cisa", url="https://www.cisa.gov/news.xml", now=T0, error="x", status=500,
        next_poll_at=T0 + timedelta(hours=1),
    )  # fmt: skip
    assert store.sources.due(T0) == []
    assert store.sources.due(T0 + timedelta(minutes=15)) == ["uscis"]
    assert store.sources.due(T0 + timedelta(hours=2)) == ["cisa", "uscis"]
    # Configured ids: never-polled ones are due, removed ones are left out, order is kept.
    among = ["fema", "uscis", "dhs"]
    assert store.sources.due(T0 + timedelta(hours=2), among) == ["fema", "uscis", "dhs"]
    assert store.sources.due(T0, among) == ["fema", "dhs"]
    store.sources.schedule("uscis", None)
    assert store.sources.due(T0, among) == ["fema", "uscis", "dhs"]


def test_state_counts_items_and_crawl_delay(store: Store) -> None:
    _success(store)
    store.sources.set_crawl_delay("uscis", 10.0)
    for key in ("a", "b", "c"):
        store.items.save(make_item(key), now=T0, status="new")
    store.items.save(make_item("z", source_id="cisa"), now=T0, status="new")
    state = store.sources.state("uscis")
    assert state is not None and (state.items, state.crawl_delay) == (3, 10.0)
    assert [s.id for s in store.sources.all()] == ["uscis"]


def test_a_judged_poll_writes_the_health_row_only_when_it_changes(store: Store) -> None:
    _success(store)
    written: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE sources SET health"):
            written.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    ok, stall = ("ok", None, T0), ("stalled", "quiet", T0)
    verdicts = [ok, ok, stall, stall]
    for n, verdict in enumerate(verdicts):
        record = PollRecord(T0 + timedelta(minutes=n), "ok", 200, found=3)
        history, judged = store.polls.judge("uscis", record, lambda _h, v=verdict: v, recent=10)
        assert judged == verdict
        # The history includes this poll, newest first.
        assert history.recent[0].polled_at == record.polled_at
        assert len(history.recent) == n + 1
    event.remove(store.engine, "before_cursor_execute", seen)
    assert len(written) == 2  # ok once, stalled once: the repeats wrote nothing
    state = store.sources.state("uscis")
    assert state is not None
    assert (state.health, state.health_reason, state.health_since) == ("stalled", "quiet", T0)
    # A source with no row gets no health, and no error.
    store.polls.judge("nobody", PollRecord(T0, "failed"), lambda _h: ("ok", None, T0), recent=10)
    assert store.sources.state("nobody") is None
