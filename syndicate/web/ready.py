"""Readiness: the store's facts in, `/readyz` JSON out (200 ready, 503 with the problems).

`/healthz` (in `health`) is liveness: the process answers and its store opens; restart the
process when it fails. `/readyz` says whether the service is doing its job; take it out of
rotation (or page someone) when it fails. Each check is a function of the site and the time
returning its problems, listed in CHECKS; per-source rules are listed in SOURCE_RULES (one
function per rule, returning a sentence or None), so a new kind of source trouble is one
more function there. Everything is read from the store, which every process shares, so any
web process answers for the daemon's work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from syndicate.errors import StoreError
from syndicate.model import Source
from syndicate.store import integrity
from syndicate.store.sources import SourceState
from syndicate.web.site import Site

HEARTBEAT_KEY = "scheduler_heartbeat"
LAST_POLL_KEY = "last_poll_at"
# The scheduler beats every few seconds; a minute of silence means it is stuck or gone.
HEARTBEAT_MAX = timedelta(seconds=60)
# A poll runs at least as often as the most frequent source's interval; allow three misses.
POLL_MISSES = 3
# A message due this long ago and still unsent is stuck (the retry job runs every 30 s).
MAIL_OVERDUE = timedelta(hours=1)

Check = Callable[[Site, datetime], list[str]]
SourceRule = Callable[[Site, Source, SourceState | None, datetime], str | None]


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _ago(now: datetime, then: datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def scheduler(site: Site, now: datetime) -> list[str]:
    """A fresh heartbeat, and a poll within a few intervals of the busiest source."""
    problems = []
    beat = _time(site.store.meta.get(HEARTBEAT_KEY))
    polled = _time(site.store.meta.get(LAST_POLL_KEY))
    if beat is None:
        problems.append("no scheduler heartbeat: is `syndicate run` running?")
    elif now - beat > HEARTBEAT_MAX:
        problems.append(f"scheduler heartbeat is {int((now - beat).total_seconds())} s old")
    intervals = [s.interval for s in site.config.sources if s.enabled]
    if polled is not None and intervals:
        allowed = timedelta(seconds=min(intervals) * POLL_MISSES) + HEARTBEAT_MAX
        if now - polled > allowed:
            problems.append(f"last poll was {int((now - polled).total_seconds())} s ago")
    return problems


def never_succeeded(
    site: Site, source: Source, state: SourceState | None, now: datetime
) -> str | None:
    """Polled, and never once answered with something usable."""
    if state is None or state.polls == 0 or state.last_success_at is not None:
        return None
    error = f": {state.last_error}" if state.last_error else ""
    return f"source {source.id} has never succeeded ({state.polls} polls){error}"


def failing_too_long(
    site: Site, source: Source, state: SourceState | None, now: datetime
) -> str | None:
    """Failing for longer than the backoff allows between two polls (`fetch.max_backoff`,
    plus the source's interval): no longer a passing blip."""
    if state is None or state.failures == 0 or state.last_success_at is None:
        return None
    allowed = timedelta(seconds=site.config.fetch.max_backoff + source.interval)
    if now - state.last_success_at <= allowed:
        return None
    error = f": {state.last_error}" if state.last_error else ""
    return (
        f"source {source.id} has failed for {_ago(now, state.last_success_at)} "
        f"({state.failures} failed poll{'' if state.failures == 1 else 's'} in a row){error}"
    )


SOURCE_RULES: list[SourceRule] = [never_succeeded, failing_too_long]


def sources(site: Site, now: datetime) -> list[str]:
    """Each enabled source against every rule of SOURCE_RULES."""
    states = {s.id: s for s in site.store.sources.all()}
    problems = []
    for source in site.config.source_list():
        if not source.enabled:
            continue
        for rule in SOURCE_RULES:
            found = rule(site, source, states.get(source.id), now)
            if found:
                problems.append(found)
    return problems


def store(site: Site, now: datetime) -> list[str]:
    """The last integrity check (the daemon's start, nightly housekeeping) found no damage."""
    checked, problems = integrity.recorded(site.store)
    if not problems or checked is None:
        return []
    return [f"store damaged (found {checked.isoformat(timespec='seconds')}): {p}" for p in problems]


def mail(site: Site, now: datetime) -> list[str]:
    """No message sits in the ledger long past its time."""
    lease = timedelta(seconds=site.config.mail.claim_lease)
    count, oldest = site.store.deliveries.overdue(now - MAIL_OVERDUE, now - 2 * lease)
    if not count or oldest is None:
        return []
    return [
        f"{count} messages stuck in the delivery ledger (the oldest due {_ago(now, oldest)} ago)"
    ]


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


CHECKS: dict[str, Check] = {
    "scheduler": scheduler,
    "sources": sources,
    "store": store,
    "mail": mail,
}


def readiness(site: Site) -> tuple[bool, dict[str, Any]]:
    """Whether the service is ready, and every check's problems."""
    now = site.clock()
    report: dict[str, Any] = {"store": "ok", "problems": [], "checks": {}}
    try:
        for name, check in CHECKS.items():
            found = check(site, now)
            report["checks"][name] = found
            report["problems"] += found
        # Each source's health as the last poll judged it: a broken or blocked source is
        # listed for the operator's attention; it is a problem only by the rules above.
        report["sources"] = source_health(site)
        report["attention"] = sorted(
            k for k, v in report["sources"].items() if v["state"] in ("broken", "blocked")
        )
        report[HEARTBEAT_KEY] = site.store.meta.get(HEARTBEAT_KEY)
        report[LAST_POLL_KEY] = site.store.meta.get(LAST_POLL_KEY)
    except StoreError as e:
        report["store"] = "unreachable"
        report["problems"].append(str(e))
    return not report["problems"], report


def readyz(request: Request) -> Response:
    """200 when ready, 503 with the problems when not."""
    site: Site = request.app.state.site
    ok, report = readiness(site)
    report["status"] = "ready" if ok else "not ready"
    return JSONResponse(
        report, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"}
    )
