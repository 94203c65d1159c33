"""Choosing briefs and slots: filters, order, cap, immediate, corrections, cadence times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from store_support import make_brief

from syndicate import digest
from syndicate.config import DigestsConfig
from syndicate.model import Subscriber

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


def sub(**changes: object) -> Subscriber:
    values: dict[str, object] = {
        "id": 1,
        "email": "a@example.net",
        "status": "active",
        "cadence": "daily",
        "secret": "x",
        "created": NOW,
    }
    values.update(changes)
    return Subscriber(**values)  # type: ignore[arg-type]


CBP = make_brief(
    "cbp", agency="CBP", topics=("border-security",), published=NOW - timedelta(hours=1)
)
FEMA = make_brief(
    "fema", agency="FEMA", topics=("disaster-response",), published=NOW - timedelta(hours=2)
)
CISA = make_brief(
    "cisa", agency="CISA", topics=("cybersecurity",), published=NOW - timedelta(hours=3)
)
ICE = make_brief(
    "ice",
    agency="ICE",
    topics=("immigration", "law-enforcement"),
    published=NOW - timedelta(hours=4),
)
ALL = (FEMA, ICE, CBP, CISA)  # change order, not publication order


def ids(found: list[digest.Owed]) -> list[list[str]]:
    return [[b.id for b in o.digest.briefs] for o in found]


def make(s: Subscriber, candidates=ALL, sent=(), **settings: object) -> list[digest.Owed]:  # type: ignore[no-untyped-def]
    return digest.make(
        s,
        candidates,
        set(sent),
        key="daily:2026-12-01",
        cadence=s.cadence,
        settings=DigestsConfig.model_validate(settings),
        now=NOW,
    )


@pytest.mark.parametrize(
    ("agencies", "topics", "expected"),
    [
        ((), (), ["cbp", "fema", "cisa", "ice"]),
        (("cbp", "ICE"), (), ["cbp", "ice"]),
        ((), ("immigration",), ["ice"]),
        ((), ("cybersecurity", "disaster-response"), ["fema", "cisa"]),
        (("CBP",), ("immigration",), []),  # both filters must pass
        (("USCG",), (), []),
    ],
)
def test_filters_select_the_right_briefs(
    agencies: tuple[str, ...], topics: tuple[str, ...], expected: list[str]
) -> None:
    found = make(sub(agencies=agencies, topics=topics))
    assert ids(found) == ([expected] if expected else [])


def test_nothing_new_makes_no_digest() -> None:
    assert make(sub(), sent={"cbp", "fema", "cisa", "ice"}) == []
    assert make(sub(), candidates=()) == []


def test_grouped_by_agency_keeps_newest_first_inside_groups() -> None:
    more = make_brief("cbp-old", agency="CBP", published=NOW - timedelta(days=1))
    found = make(sub(), candidates=(*ALL, more), order="agency")
    assert ids(found) == [["cbp", "cbp-old", "cisa", "fema", "ice"]]


def test_cap_counts_the_rest() -> None:
    (owed,) = make(sub(), max_briefs=3)
    assert [b.id for b in owed.digest.briefs] == ["cbp", "fema", "cisa"]
    assert owed.digest.more == 1
    assert owed.digest.key == "daily:2026-12-01"


def test_immediate_is_one_message_per_brief_oldest_first() -> None:
    found = make(sub(cadence="immediate"))
    assert ids(found) == [["ice"], ["cisa"], ["fema"], ["cbp"]]
    assert [o.digest.key for o in found] == [
        "immediate:ice",
        "immediate:cisa",
        "immediate:fema",
        "immediate:cbp",
    ]


def test_an_edit_is_not_resent_but_mentioned_when_corrections_are_on() -> None:
    (owed,) = make(sub(), sent={"fema"})
    assert [b.id for b in owed.digest.briefs] == ["cbp", "cisa", "ice"]
    assert [b.id for b in owed.corrections] == ["fema"]
    (quiet,) = make(sub(), sent={"fema"}, corrections=False)
    assert quiet.corrections == ()


def test_an_edit_alone_sends_nothing() -> None:
    assert make(sub(), candidates=(FEMA,), sent={"fema"}) == []


SETTINGS = DigestsConfig(daily_at=time(7, 0), weekly_day="monday", weekly_at=time(8, 30))


@pytest.mark.parametrize(
    ("now", "cadence", "expected"),
    [
        # 2026-12-01 is a Tuesday; New York is UTC-5 in December.
        (
            datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
            "daily",
            datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 1, 11, 59, tzinfo=UTC),
            "daily",
            datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
            "daily",
            datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
            "weekly",
            datetime(2026, 11, 30, 13, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 11, 30, 13, 29, tzinfo=UTC),
            "weekly",
            datetime(2026, 11, 23, 13, 30, tzinfo=UTC),
        ),
        # Summer time: 07:00 in New York is 11:00 UTC.
        (
            datetime(2026, 7, 1, 11, 30, tzinfo=UTC),
            "daily",
            datetime(2026, 7, 1, 11, 0, tzinfo=UTC),
        ),
        (NOW, "immediate", None),
    ],
)
def test_slots_are_local_send_times(now: datetime, cadence: str, expected: datetime | None) -> None:
    assert digest.slot(cadence, now, SETTINGS, NY) == expected  # type: ignore[arg-type]


def test_keys_name_the_local_date() -> None:
    late = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # still Dec 1 in New York
    assert digest.key("daily", late, NY) == "daily:2026-12-01"
    assert digest.key("immediate", late, NY, "b-9") == "immediate:b-9"
