"""What follows a poll that stored new or updated briefs: publish feeds, send immediate mail.

Each follow-up is isolated: a failing publish never stops the immediate digests, and the
other way round; the failure is logged and reported in the returned summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from syndicate import logs
from syndicate.config import Config
from syndicate.errors import SyndicateError
from syndicate.store import Store


class Changes(Protocol):
    """What ran before: a poll, or a re-make of stored briefs."""

    @property
    def changed(self) -> bool: ...


def after_poll(
    config: Config,
    store: Store,
    summary: Changes,
    *,
    stop: Callable[[], bool] | None = None,
) -> dict[str, str]:
    """Publish changed feeds and send immediate digests when the run changed briefs
    (`stop`: asked between feeds and between batches of mail; a signal)."""
    if not summary.changed:
        return {}
    return follow_up(config, store, stop=stop)


def follow_up(
    config: Config, store: Store, *, stop: Callable[[], bool] | None = None
) -> dict[str, str]:
    """Publish changed feeds, then send the immediate digests that are owed."""
    return publish_step(config, store, stop=stop) | mail_step(config, store, stop=stop)


def steps(
    config: Config, store: Store, *, stop: Callable[[], bool] | None = None
) -> list[Callable[[], dict[str, str]]]:
    """The follow-ups a poll runs as sources finish: publishing and the immediate mail,
    each on its own (neither reads what the other writes, so mail need not wait for a
    long publish)."""
    return [
        lambda: publish_step(config, store, stop=stop),
        lambda: mail_step(config, store, stop=stop),
    ]


def publish_step(
    config: Config, store: Store, *, stop: Callable[[], bool] | None = None
) -> dict[str, str]:
    """Publish the feeds whose briefs changed; a failure is logged and said, not raised."""
    # Publishing and mail (feedgen, css_inline, dkim) load only when there is something new.
    from syndicate.pipeline import feeds

    try:
        published = feeds.publish(store, config, stop=stop)
        return {"publish": published.line().removeprefix("publish: ")}
    except SyndicateError as e:
        logs.error("publish.failed", error=str(e))
        return {"publish": f"failed: {e}"}


def mail_step(
    config: Config, store: Store, *, stop: Callable[[], bool] | None = None
) -> dict[str, str]:
    """Send the immediate digests that are owed; a failure is logged and said."""
    from syndicate.pipeline import mail

    try:
        sent = mail.run(store, config, cadence="immediate", stop=stop)
        return {"immediate digests": str(sent)}
    except SyndicateError as e:
        logs.error("digest.failed", cadence="immediate", error=str(e))
        return {"immediate digests": f"failed: {e}"}
