"""`syndicate demo`: the whole pipeline, offline, with no setup.

It serves the bundled sample sources (`releases.toml`, written for this project) on
127.0.0.1, writes a `config.toml` into a data directory (a throwaway one, or `--data DIR`),
polls the samples, makes briefs, publishes the feeds, adds a demo subscriber, delivers a
digest into the Maildir, and prints where everything is. The data directory's config works
with every other command afterwards (`syndicate --config DIR/config.toml serve`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from syndicate import config as config_module
from syndicate import store as store_module
from syndicate.config import Config
from syndicate.demo.site import FEEDS, LISTING, Site
from syndicate.pipeline import feeds
from syndicate.pipeline.followup import after_poll
from syndicate.pipeline.poll import poll

DEMO_SUBSCRIBER = "demo@example.org"
_NAMES = {
    "dhs": ("U.S. Department of Homeland Security", "DHS"),
    "cbp": ("U.S. Customs and Border Protection", "CBP"),
    "uscis": ("U.S. Citizenship and Immigration Services", "USCIS"),
    "cisa": ("Cybersecurity and Infrastructure Security Agency", "CISA"),
    "fema": ("Federal Emergency Management Agency", "FEMA"),
}


@dataclass
class Outcome:
    data: Path
    config_path: Path
    feeds: list[Path] = field(default_factory=list)
    messages: list[Path] = field(default_factory=list)
    briefs: int = 0
    lines: list[str] = field(default_factory=list)
    site: Site | None = None  # the sample sites, still serving (run(..., keep_site=True))


def config_text(base: str, *, port: int) -> str:
    """The demo's config.toml: the shipped defaults, the sample sources, local paths."""
    sources = []
    for source_id, (name, agency) in _NAMES.items():
        if source_id == "dhs":
            sources.append(
                f'[[sources]]\nid = "dhs"\nname = "{name}"\nagency = "DHS"\nkind = "page"\n'
                f'url = "{base}{LISTING}"\ninterval = 300\n'
                '[sources.listing]\nitem = ".views-row"\nlink = "a"\ntitle = "h3"\n'
                'date = "time"\n'
            )
        else:
            sources.append(
                f'[[sources]]\nid = "{source_id}"\nname = "{name}"\nagency = "{agency}"\n'
                f'kind = "feed"\nurl = "{base}{FEEDS[source_id][0]}"\ninterval = 300\n'
            )
    return f"""# Written by `syndicate demo`: the sample sources on {base}.
[service]
name = "DHS Briefs (demo)"
base_url = "http://127.0.0.1:{port}"
data_dir = "."

[fetch]
host_spacing = 0.0
allow_private = true  # the sample sources are served on 127.0.0.1

[attribution]
prepared_by = "Prepared by syndicate (demo) from official releases; quotes are verbatim."

[feeds]
dir = "feeds"

[mail]
from = "DHS Briefs <briefs@localhost>"
transport = "maildir"
maildir = "maildir"

[web]
port = {port}

""" + "\n".join(sources)


def prepare(data: Path | None, site: Site, port: int) -> tuple[Config, Path]:
    """Write (or rewrite) the demo config into the data directory and load it."""
    folder = data or Path(tempfile.mkdtemp(prefix="syndicate-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(config_text(site.base, port=port), encoding="utf-8")
    return config_module.load(path), folder


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def _site(data: Path | None, release: bool, web_port: int) -> Site:
    """The sample site, on the port an earlier demo in `data` used when it is free (item
    identities include the host, and a real source does not change its address), else on
    the port after the web side's, so the briefs' links to the original releases name the
    same address every time (they answer while `syndicate demo --serve` runs)."""
    previous = data / "config.toml" if data else None
    wanted: list[int] = []
    if previous and previous.exists():
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", previous.read_text("utf-8"))
        if found:
            wanted.append(int(found.group(1)))
    if web_port and web_port < 65535:
        wanted.append(web_port + 1)
    for port in wanted:
        with contextlib.suppress(OSError):
            return Site(released=release, port=port).start()
    return Site(released=release).start()


def run(
    data: Path | None = None, *, release: bool = False, port: int = 8080, keep_site: bool = False
) -> Outcome:
    """Serve the samples, poll them, publish, mail the demo subscriber; returns what exists.

    With `keep_site` the sample sites keep serving (`Outcome.site`; the caller stops them), so
    the briefs' "original release" links answer while the web side is browsed."""
    site = _site(data, release, port)
    kept = False
    try:
        config, folder = prepare(data, site, port)
        store = store_module.open(config.database_url)
        try:
            if store.subscribers.by_email(DEMO_SUBSCRIBER) is None:
                # Added before the first poll, so the first briefs are owed to it.
                store.subscribers.add(
                    DEMO_SUBSCRIBER, "immediate", name="Demo Reader", confirmed=True
                )
            ids = [s.id for s in config.sources]
            summary = asyncio.run(poll(config, store, source_ids=ids))
            followups = after_poll(config, store, summary)
            if "publish" not in followups:
                feeds.publish(store, config)
            briefs = store.briefs.count()
        finally:
            store.close()
        kept = keep_site
    finally:
        if not kept:
            site.stop()
    out = Outcome(folder, folder / "config.toml", briefs=briefs, site=site if kept else None)
    out.feeds = _files(config.feeds_dir, "**/*.atom")
    out.messages = _files(config.data_dir / config.mail.maildir, "*/*")
    totals = summary.totals()
    out.lines = [
        f"polled {len(summary.results)} sample sources: {_count(totals['new'], 'new brief')}, "
        f"{totals['updated']} updated, {totals['rejected']} rejected, "
        f"{totals['failed']} releases failed",
        *(
            f"  {r.source_id}: {r.outcome}, {r.new} new, {r.updated} updated"
            + (f" ({r.error})" if r.error else "")
            for r in summary.results
        ),
        *(f"{k}: {v}" for k, v in followups.items()),
    ]
    return out
