"""Health and metrics: the store's counters in, `/healthz` JSON and `/metrics` text out.

`/healthz` answers 200 when the store answers, the scheduler's heartbeat is fresh and the
last poll is recent; otherwise 503 with the reasons. `/readyz` answers 200 when the store
answers (503 when not) and shows each source's health (ok, broken, stalled, blocked,
disabled, new): a broken source is the operator's to fix, not a reason to take the web side
out of service. `/metrics` is the Prometheus text exposition format (version 0.0.4), every
figure read from the store at request time, so it is right whichever process (daemon or
`syndicate serve`) did the work.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from syndicate.errors import StoreError
from syndicate.web.prometheus import Exposition, label
from syndicate.web.site import Site

# Meta keys the daemon writes (ISO 8601 times).
HEARTBEAT_KEY = "scheduler_heartbeat"
LAST_POLL_KEY = "last_poll_at"
# The scheduler beats every few seconds; a minute of silence means it is stuck or gone.
HEARTBEAT_MAX = timedelta(seconds=60)
# A poll runs at least as often as the most frequent source's interval; allow three misses.
POLL_MISSES = 3
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"
DELIVERY_STATUSES = ("pending", "claimed", "retry", "sent", "failed")
QUEUED = ("pending", "claimed", "retry")


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


# Jobs whose last duration the pipeline and the daemon record in the store's meta table.
JOBS = ("poll", "publish", "digest.daily", "digest.weekly", "deliver.retry", "housekeeping")


def _by(name: str, counts: dict[str, int]) -> list[tuple[str, float]]:
    return [(f'{{{name}="{label(k)}"}}', float(v)) for k, v in sorted(counts.items())]


# Every state a source can show, for the one-hot `syndicate_source_state` metric.
SOURCE_STATES = ("ok", "broken", "stalled", "blocked", "disabled", "new")


def source_health(site: Site) -> dict[str, dict[str, Any]]:
    """Each configured source's health as the last poll judged it (README "Source health")."""
    states = {s.id: s for s in site.store.sources.all()}
    report: dict[str, dict[str, Any]] = {}
    for source in site.config.source_list():
        st = states.get(source.id)
        state, reason = (st.health or "new", st.health_reason) if st else ("new", None)
        if not source.enabled:
            state, reason = "disabled", source.disabled_reason or None
        since = st.health_since.isoformat() if st and st.health_since and source.enabled else None
        report[source.id] = {"state": state, "reason": reason, "since": since}
    return report


def readyz(request: Request) -> Response:
    """200 with each source's health when the store answers; 503 when it does not."""
    site = _site(request)
    try:
        sources = source_health(site)
    except StoreError as e:
        body = {"status": "unready", "store": "unreachable", "problems": [str(e)]}
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    attention = sorted(k for k, v in sources.items() if v["state"] in ("broken", "blocked"))
    ready: dict[str, Any] = {"status": "ready", "store": "ok", "sources": sources}
    ready["attention"] = attention
    return JSONResponse(ready, headers={"Cache-Control": "no-store"})


def _source_states(out: Exposition, site: Site) -> None:
    health = source_health(site)
    samples = [
        (f'{{source="{label(sid)}",state="{state}"}}', 1.0 if h["state"] == state else 0.0)
        for sid, h in sorted(health.items())
        for state in SOURCE_STATES
    ]
    out.metric(
        "syndicate_source_state",
        "gauge",
        "1 for each source's current state (ok, broken, stalled, blocked, disabled, new).",
        samples,
    )
    yields: list[tuple[str, float]] = []
    for sid in sorted(health):
        last = site.store.polls.recent(sid, 1)
        if not last:
            continue
        record = last[0]
        for what, value in (("found", record.found), ("releases", record.pages),
                            ("bodies", record.bodies), ("refused", record.refused)):  # fmt: skip
            if value is not None:
                yields.append((f'{{source="{label(sid)}",what="{what}"}}', float(value)))
    out.metric(
        "syndicate_source_last_yield",
        "gauge",
        "What each source's last poll yielded: items found, releases tried, bodies, refusals.",
        yields,
    )


def _sources(out: Exposition, site: Site) -> None:
    _source_states(out, site)
    states = site.store.sources.all()
    for name, kind, help, value in (
        ("syndicate_source_polls_total", "counter", "Polls of each source.", "polls"),
        ("syndicate_source_failures", "gauge", "Consecutive failed polls of a source.", "failures"),
        ("syndicate_source_items", "gauge", "Items seen on each source.", "items"),
    ):
        counts = {s.id: int(getattr(s, value)) for s in states}
        out.metric(name, kind, help, _by("source", counts))
    now = site.clock()
    ages = {
        s.id: (now - s.last_success_at).total_seconds() if s.last_success_at else math.inf
        for s in states
    }
    out.metric(
        "syndicate_source_last_success_age_seconds",
        "gauge",
        "Seconds since each source last answered with something usable.",
        [(f'{{source="{label(k)}"}}', v) for k, v in sorted(ages.items())],
    )
    out.metric(
        "syndicate_items",
        "gauge",
        "Items seen on all sources.",
        [("", float(sum(s.items for s in states)))],
    )


def _delivery(out: Exposition, site: Site) -> None:
    counts = site.store.deliveries.counts()
    statuses = {status: 0 for status in DELIVERY_STATUSES} | counts
    out.metric(
        "syndicate_messages",
        "gauge",
        "Digest messages in the delivery ledger, by status (sent, failed, ...).",
        _by("status", statuses),
    )
    depth = sum(counts.get(status, 0) for status in QUEUED)
    out.metric(
        "syndicate_delivery_queue_depth",
        "gauge",
        "Messages waiting to be sent (pending, claimed or waiting to retry).",
        [("", float(depth))],
    )
    subscribers = site.store.subscribers.all()
    by_status: dict[str, int] = {}
    for sub in subscribers:
        by_status[sub.status] = by_status.get(sub.status, 0) + 1
    out.metric("syndicate_subscribers", "gauge", "Subscribers by status.", _by("status", by_status))


def exposition(site: Site) -> str:
    """Every metric, read from the store now (request timings from this process)."""
    out = Exposition()
    _sources(out, site)
    out.metric("syndicate_briefs", "gauge", "Briefs stored.", [("", site.store.briefs.count())])
    published = site.store.feeds.states()
    out.metric(
        "syndicate_feed_published_seq",
        "gauge",
        "The newest brief change each feed document was last published with.",
        _by("feed", published),
    )
    _delivery(out, site)
    now = site.clock()
    beat = _time(site.store.meta.get(HEARTBEAT_KEY))
    polled = _time(site.store.meta.get(LAST_POLL_KEY))
    for name, when, help in (
        ("syndicate_heartbeat_age_seconds", beat, "Seconds since the scheduler's heartbeat."),
        ("syndicate_last_poll_age_seconds", polled, "Seconds since the last poll finished."),
    ):
        age = (now - when).total_seconds() if when else math.inf
        out.metric(name, "gauge", help, [("", age)])
    durations = []
    for job in JOBS:
        value = site.store.meta.get(f"duration:{job}")
        if value is not None:
            durations.append((f'{{job="{label(job)}"}}', float(value)))
    out.metric(
        "syndicate_job_duration_seconds",
        "gauge",
        "How long each scheduled job (poll, publish, digests, retries) last took.",
        durations,
    )
    site.timings.expose(out)
    return out.text()


def metrics(request: Request) -> Response:
    """Prometheus text format."""
    try:
        body = exposition(_site(request))
    except StoreError:
        return PlainTextResponse("store unreachable\n", status_code=503)
    return PlainTextResponse(body, media_type=PROMETHEUS, headers={"Cache-Control": "no-store"})
