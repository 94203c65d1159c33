"""Liveness and metrics: the store in, `/healthz` JSON and `/metrics` text out.

`/healthz` is liveness: 200 when the process answers and its store opens, else 503 with
the reason (restart it). Readiness, whether the service is doing its job, is `/readyz`
(`ready.py`), which also lists each source's health. `/metrics` is the Prometheus text
exposition format (version 0.0.4), every
figure read from the store at request time, so it is right whichever process (daemon or
`syndicate serve`) did the work.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from syndicate.errors import StoreError
from syndicate.store import integrity
from syndicate.store.ai import OUTCOMES
from syndicate.web.prometheus import Exposition, ai_briefs, label
from syndicate.web.ready import HEARTBEAT_KEY, LAST_POLL_KEY, source_health
from syndicate.web.site import Site

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


def live(site: Site) -> tuple[bool, dict[str, Any]]:
    """Whether the process can serve: its store opens and answers a read."""
    try:
        site.store.meta.get(HEARTBEAT_KEY)
    except StoreError as e:
        return False, {"store": "unreachable", "problems": [str(e)]}
    return True, {"store": "ok", "problems": []}


def healthz(request: Request) -> Response:
    """200 when alive, 503 with the reason when the store cannot be read."""
    ok, report = live(_site(request))
    report["status"] = "ok" if ok else "down"
    return JSONResponse(
        report, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"}
    )


# Jobs whose last duration the pipeline and the daemon record in the store's meta table.
JOBS = ("poll", "publish", "digest.daily", "digest.weekly", "deliver.retry", "ai", "housekeeping")


def _by(name: str, counts: dict[str, int]) -> list[tuple[str, float]]:
    return [(f'{{{name}="{label(k)}"}}', float(v)) for k, v in sorted(counts.items())]


# Every state a source can show, for the one-hot `syndicate_source_state` metric.
SOURCE_STATES = ("ok", "broken", "stalled", "blocked", "disabled", "new")


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
    unpublished = {sid: len(found) for sid, found in site.store.briefs.problems_by_source().items()}
    out.metric(
        "syndicate_briefs_unpublishable",
        "gauge",
        "Briefs of each source the last publish left out of every feed (see `syndicate sources`).",
        _by("source", {s.id: unpublished.get(s.id, 0) for s in states}),
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
    out.metric(
        "syndicate_briefs_hidden",
        "gauge",
        "Briefs taken down with `syndicate briefs hide`.",
        [("", float(site.store.briefs.hidden_count()))],
    )
    _, damage = integrity.recorded(site.store)
    out.metric(
        "syndicate_store_problems",
        "gauge",
        "Problems the last store integrity check found (0: sound).",
        [("", float(len(damage)))],
    )
    published = site.store.feeds.states()
    out.metric(
        "syndicate_feed_published_seq",
        "gauge",
        "The newest brief change each feed document was last published with.",
        _by("feed", published),
    )
    _delivery(out, site)
    ai = site.store.ai.stats()
    ai_briefs(
        out, ai.outcomes, OUTCOMES, (ai.prompt_tokens, ai.completion_tokens),
        (ai.latency, ai.calls), ai.queued,
    )  # fmt: skip
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
