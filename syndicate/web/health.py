"""Health and metrics: the store's counters in, `/healthz` JSON and `/metrics` text out.

`/healthz` answers 200 when the store answers, the scheduler's heartbeat is fresh and the
last poll is recent; otherwise 503 with the reasons. `/metrics` is the Prometheus text
exposition format (version 0.0.4), every figure read from the store at request time, so it
is right whichever process (daemon or `syndicate serve`) did the work.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from syndicate.errors import StoreError
from syndicate.web.site import Site

# Meta keys the daemon writes (ISO 8601 times).
HEARTBEAT_KEY = "scheduler_heartbeat"
LAST_POLL_KEY = "last_poll_at"
# The scheduler beats every few seconds; a minute of silence means it is stuck or gone.
HEARTBEAT_MAX = timedelta(seconds=60)
# A poll runs at least as often as the most frequent source's interval; allow three misses.
POLL_MISSES = 3
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def check(site: Site) -> tuple[bool, dict[str, Any]]:
    """Whether the service is healthy, and the facts that decided it."""
    now = site.clock()
    report: dict[str, Any] = {"store": "ok", "problems": []}
    problems: list[str] = report["problems"]
    try:
        beat = _time(site.store.meta.get(HEARTBEAT_KEY))
        polled = _time(site.store.meta.get(LAST_POLL_KEY))
    except StoreError as e:
        report["store"] = "unreachable"
        problems.append(str(e))
        return False, report
    report[HEARTBEAT_KEY] = beat.isoformat() if beat else None
    report[LAST_POLL_KEY] = polled.isoformat() if polled else None
    if beat is None:
        problems.append("no scheduler heartbeat: is `syndicate run` running?")
    elif now - beat > HEARTBEAT_MAX:
        problems.append(f"scheduler heartbeat is {int((now - beat).total_seconds())} s old")
    intervals = [s.interval for s in site.config.sources if s.enabled]
    if polled is not None and intervals:
        allowed = timedelta(seconds=min(intervals) * POLL_MISSES) + HEARTBEAT_MAX
        if now - polled > allowed:
            problems.append(f"last poll was {int((now - polled).total_seconds())} s ago")
    return not problems, report


def healthz(request: Request) -> Response:
    """200 when healthy, 503 with the reasons when not."""
    ok, report = check(_site(request))
    report["status"] = "ok" if ok else "unhealthy"
    return JSONResponse(
        report, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"}
    )


def _label(value: str) -> str:
    # Prometheus label values escape backslash, double quote and newline.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Exposition:
    """Builds the text format: one HELP/TYPE header per metric, then its samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def metric(self, name: str, kind: str, help: str, samples: list[tuple[str, float]]) -> None:
        self.lines += [f"# HELP {name} {help}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            number = repr(float(value)) if not math.isinf(value) else "+Inf"
            self.lines.append(f"{name}{labels} {number}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _by(label: str, counts: dict[str, int]) -> list[tuple[str, float]]:
    return [(f'{{{label}="{_label(k)}"}}', float(v)) for k, v in sorted(counts.items())]


def exposition(site: Site) -> str:
    """Every metric, read from the store now."""
    out = Exposition()
    states = site.store.sources.all()
    out.metric(
        "syndicate_source_polls_total",
        "counter",
        "Polls of each source.",
        _by("source", {s.id: s.polls for s in states}),
    )
    out.metric(
        "syndicate_source_failures",
        "gauge",
        "Consecutive failed polls of each source.",
        _by("source", {s.id: s.failures for s in states}),
    )
    out.metric(
        "syndicate_source_items",
        "gauge",
        "Items seen on each source.",
        _by("source", {s.id: s.items for s in states}),
    )
    out.metric("syndicate_briefs", "gauge", "Briefs stored.", [("", site.store.briefs.count())])
    published = site.store.feeds.states()
    out.metric(
        "syndicate_feeds_published",
        "gauge",
        "Feed documents that have been published at least once.",
        [("", float(len(published)))],
    )
    now = site.clock()
    beat = _time(site.store.meta.get(HEARTBEAT_KEY))
    polled = _time(site.store.meta.get(LAST_POLL_KEY))
    for name, when, help in (
        ("syndicate_heartbeat_age_seconds", beat, "Seconds since the scheduler's heartbeat."),
        ("syndicate_last_poll_age_seconds", polled, "Seconds since the last poll finished."),
    ):
        age = (now - when).total_seconds() if when else math.inf
        out.metric(name, "gauge", help, [("", age)])
    return out.text()


def metrics(request: Request) -> Response:
    """Prometheus text format."""
    try:
        body = exposition(_site(request))
    except StoreError:
        return PlainTextResponse("store unreachable\n", status_code=503)
    return PlainTextResponse(body, media_type=PROMETHEUS, headers={"Cache-Control": "no-store"})
