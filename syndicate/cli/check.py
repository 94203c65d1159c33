"""`syndicate check [--network]`: verify the setup without doing any of the work.

It validates the config (exit 2 when invalid), checks that the data directory and the feeds
directory can really be written (a file is created and removed), says whether the store is
reachable and how far its schema is, checks its integrity (SQLite's quick_check, and the
tables and columns against the migrations; changing nothing), compiles every template, checks
the mail transport's settings, and with `--network` runs `syndicate sources test` on each
enabled source (its documents, then its newest release page: a feed or listing whose
selectors match, and a page that gives a body).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from syndicate import __version__, config, deliver, fetch, store, templating
from syndicate.brief import ai
from syndicate.cli import probe
from syndicate.config import Config
from syndicate.errors import ConfigError, StoreError, SyndicateError
from syndicate.pipeline import probe as probes
from syndicate.pipeline.poll import make_fetcher

# Release pages `check --network` reads per source: the newest one.
NETWORK_PAGES = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="verify config, store, templates and mail settings (exit 2 on a bad config)",
    )
    p.add_argument(
        "--network",
        action="store_true",
        help="also try each enabled source once, as `sources test` does with its newest "
        "release page (default: off)",
    )
    p.set_defaults(func=run)


def _step(name: str, fn: Callable[[], str]) -> bool:
    try:
        detail = fn()
    except SyndicateError as e:
        print(f"FAIL  {name}: {e}")
        return False
    print(f"ok    {name}: {detail}")
    return True


def _templates() -> str:
    env = templating.environment()
    names = env.list_templates()
    for name in names:
        env.get_template(name)
    return f"{len(names)} templates compile"


def _transport(cfg: Config) -> str:
    mail = cfg.mail
    deliver.transport(mail, cfg.data_dir)  # builds it: a missing password variable fails here
    if mail.dkim is not None:
        key = cfg.path(mail.dkim.key_file)
        if not os.access(key, os.R_OK):
            raise ConfigError(f"config: mail.dkim.key_file = {str(key)!r}: not readable")
    if mail.transport == "smtp":
        s = mail.smtp
        return f"smtp to {s.host}:{s.port} ({s.security}), {s.rate:g} messages/s at most"
    return f"maildir at {cfg.data_dir / mail.maildir}"


def _writable(key: str, folder: Path) -> str:
    """Whether the service can write where `key` points: a file is really created (and
    removed) in the folder, or in its nearest existing parent when the service would create
    it. `os.access` says yes for root on a read-only mount or a virtual file system."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"config: {key} = {str(folder)!r}: {existing} is not a directory")
    try:
        fd, probe = tempfile.mkstemp(prefix=".syndicate-check-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ConfigError(
            f"config: {key} = {str(folder)!r}: {existing} is not writable "
            f"({e.strerror or e}); run check as the user the service runs as"
        ) from None
    if existing != folder:
        return f"{folder} does not exist yet; {existing} is writable, so it can be created"
    return f"{folder} is writable"


def _feeds(cfg: Config) -> str:
    """Where publish writes: an existing writable directory, or one it can create."""
    return _writable("feeds.dir", cfg.feeds_dir)


def _data(cfg: Config) -> str:
    """Where the store (SQLite), the web secret and the Maildir live."""
    return _writable("service.data_dir", cfg.data_dir)


async def _sources(cfg: Config) -> bool:
    """`sources test` on each enabled source, with its newest release page only."""
    good = True
    async with make_fetcher(cfg) as fetcher:
        for source in cfg.source_list():
            if not source.enabled:
                why = f": {source.disabled_reason}" if source.disabled_reason else ""
                print(f"skip  source {source.id}: disabled{why}")
                continue
            try:
                result = await probes.run(
                    source, fetcher, pages=NETWORK_PAGES, zone=cfg.service.timezone
                )
            except SyndicateError as e:
                print(f"FAIL  source {source.id}: {e}")
                good = False
                continue
            print(f"{'ok  ' if result.ok else 'FAIL'}  source {source.id}: {probe.summary(result)}")
            good &= result.ok
    return good


def _ai(cfg: Config) -> str:
    """The AI engine's endpoint answers a one-word completion, and its prompt template reads."""
    settings = cfg.brief.ai
    ai.template(settings.prompt_path(Path(cfg.root)))  # an unreadable override fails here
    if settings.api_key_env and settings.api_key() is None:
        raise ConfigError(
            f"config: brief.ai.api_key_env = {settings.api_key_env!r}: that variable is not set"
        )

    async def ask() -> str:
        async with fetch.Chat(
            settings.endpoint(), settings.model, api_key=settings.api_key(),
            timeout=settings.timeout, user_agent=cfg.user_agent(__version__) + " check",
        ) as chat:  # fmt: skip
            return await chat.probe()

    return asyncio.run(ask())


def _integrity(cfg: Config) -> str:
    """quick_check and the schema against the migrations, on the store as it is."""
    opened = store.open(cfg.database_url, migrate_schema=False)
    try:
        problems = store.integrity.check(opened)
        if problems:
            shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
            raise StoreError(f"store: damaged: {shown}; {store.integrity.advice(opened)}")
    finally:
        opened.close()
    quick = "quick_check ok, " if opened.dialect == "sqlite" else ""
    return f"{quick}tables and columns match the migrations"


def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.config)
    enabled = sum(1 for s in cfg.sources if s.enabled)
    print(f"ok    config: {args.config} ({len(cfg.sources)} sources, {enabled} enabled)")
    good = _step("data", lambda: _data(cfg))
    probed: list[str] = []

    def probe() -> str:
        probed.append(store.probe(cfg.database_url))
        return probed[0]

    good &= _step("store", probe)
    # A store that exists at the newest revision: is it sound? (One the next open creates
    # or migrates has nothing to compare yet.)
    if good and "first use" not in probed[0]:
        good &= _step("store integrity", lambda: _integrity(cfg))
    good &= _step("templates", _templates)
    good &= _step("feeds", lambda: _feeds(cfg))
    good &= _step("mail", lambda: _transport(cfg))
    if cfg.brief.engine == "ai" or cfg.brief.ai.sources:
        good &= _step("ai", lambda: _ai(cfg))
    if args.network:
        good &= asyncio.run(_sources(cfg))
    return 0 if good else 1
