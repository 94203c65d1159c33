"""Shared by the brief tests: golden cases under tests/data/briefs/<case>/ made into briefs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate import brief, extract
from syndicate.model import AGENCIES, Agency, Article, Attribution, Brief, Source

BRIEFS = Path(__file__).parent / "data" / "briefs"
CASES = sorted(p.name for p in BRIEFS.iterdir() if (p / "release.txt").is_file())
FETCHED = datetime(2025, 12, 4, 15, 30, tzinfo=UTC)
ATTRIBUTION = Attribution(
    "Sources", "Prepared by syndicate, from official releases.", "Not an official DHS product."
)


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BRIEFS / case / "expected.json").read_text("utf-8"))
    return data


def article(case: str) -> Article:
    text = (BRIEFS / case / "release.txt").read_text("utf-8")
    return extract.from_text(text, expected(case)["url"])


def source(agency: str) -> Source:
    code: Agency = next(a for a in AGENCIES if a == agency)
    return Source(
        id=code.lower(), name=f"{code} newsroom", agency=code, kind="page", url="https://x.gov/"
    )


def make(case: str, **kwargs: Any) -> tuple[Brief, Article]:
    page = article(case)
    made = brief.make(
        page,
        id=f"tag:test,2025:{case}",
        source=source(expected(case)["agency"]),
        attribution=ATTRIBUTION,
        fetched_at=FETCHED,
        **kwargs,
    )
    return made, page
