"""Shared pieces of the hostile-input tests (issue 13): a healthy source beside a hostile one,
served from 127.0.0.1, run through the CLI as an operator would, and what a reader and a
subscriber get afterwards.

`site(tmp, server, sources)` writes the config; `healthy(server)` serves a well-behaved
feed with two releases; `subscribe(cfg)` adds an immediate subscriber (Maildir), so a poll
that stores briefs also mails them; `atom_titles`, `mailed_subjects` read the results.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from server import Server

from syndicate.cli import main

A = "{http://www.w3.org/2005/Atom}"
AT = "{http://purl.org/atompub/tombstones/1.0}"

PAGE = """<!DOCTYPE html><html lang="en"><head>{head}</head><body><main><article>{h1}
<div class="field--name-body">
<p>WASHINGTON – {lead}</p>
<p>The agency said the work at the {place} will continue through the spring of 2026.</p>
<p>“We are proud of the officers who made this possible,” said Director Dana Whitfield.</p>
<p>Officials plan to publish a full report on the effort by June 30, 2026.</p>
</div></article></main></body></html>"""

GOOD_TITLES = (
    "Officers Complete Harbor Inspection at Port Alder",
    "Officers Complete Bridge Inspection at Port Birch",
)


def page(title: str | None, lead: str, place: str = "harbor") -> str:
    """A release page; `title=None` gives one with no <title> and no <h1>."""
    head = f"<title>{title}</title>" if title else "<meta charset='utf-8'>"
    h1 = f"<h1>{title}</h1>" if title else ""
    return PAGE.format(head=head, h1=h1, lead=lead, place=place)


def item(title: str, link: str, day: int, description: str = "") -> str:
    text = description or f"Officers finished the work described on day {day}."
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>{text}</description>"
        f"<pubDate>Mon, {day:02d} Nov 2025 10:00:00 -0500</pubDate></item>"
    )


def rss(items: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Sample</title><link>https://www.example.gov/</link><description>d</description>"
        f"{''.join(items)}</channel></rss>"
    )


def healthy(server: Server, path: str = "/good.xml", host: str = "127.0.0.1") -> None:
    """A well-behaved source: an RSS feed of two releases whose pages answer normally."""
    base = server.url("", host=host).rstrip("/")
    items = []
    for day, (title, place) in enumerate(zip(GOOD_TITLES, ("harbor", "bridge"), strict=True), 1):
        link = f"/good/2025/11/{day:02d}/release-{day}"
        items.append(item(title, f"{base}{link}", day))
        lead = f"Officers completed the {place} inspection at the northern port on Monday."
        server.route(link, body=page(title, lead, place), headers={"Content-Type": "text/html"})
    server.route(path, body=rss(items), headers={"Content-Type": "application/rss+xml"})


def site(
    tmp: Path,
    server: Server,
    sources: dict[str, str],
    *,
    fetch: str = "allow_private = true",
    extra: str = "",
    source_extra: dict[str, str] | None = None,
    host: str = "127.0.0.1",
) -> Path:
    """config.toml for feed sources {id: path or URL}; 'good' is CBP, the others ICE, TSA..."""
    agencies = iter(("ICE", "TSA", "FEMA", "CISA", "USCG", "USSS"))
    blocks = []
    for sid, path in sources.items():
        agency = "CBP" if sid == "good" else next(agencies)
        more = (source_extra or {}).get(sid, "")
        url = path if path.startswith("http") else server.url(path, host=host)
        blocks.append(
            f'[[sources]]\nid = "{sid}"\nname = "Sample {sid}"\nagency = "{agency}"\n'
            f'kind = "feed"\nurl = "{url}"\ninterval = 60\n'
            f"first_poll_items = 10\n{more}\n"
        )
    text = f"""
[service]
data_dir = "data"
base_url = "https://briefs.example.org"
[fetch]
host_spacing = 0.0
respect_robots = false
deadline = 5.0
{fetch}
[feeds]
dir = "feeds"
fsync = false
[mail]
transport = "maildir"
[web]
enabled = false
{extra}
{"".join(blocks)}"""
    cfg = tmp / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def subscribe(cfg: Path, address: str = "ana@example.org", cadence: str = "immediate") -> None:
    """An active subscriber who gets each brief as it is published (or daily...)."""
    args = ["--config", str(cfg), "subscribers", "add", address]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*args, "--cadence", cadence, "--confirmed"]) == 0


def atom_titles(cfg: Path, feed: str = "all") -> list[str]:
    """The entry titles of a published Atom document, read by a strict XML parser."""
    root = ET.parse(cfg.parent / "data" / "feeds" / f"{feed}.atom").getroot()
    return [e.findtext(f"{A}title") or "" for e in root.iter(f"{A}entry")]


def mailed_subjects(cfg: Path) -> list[str]:
    """The subjects of every message delivered into the Maildir."""
    folder = cfg.parent / "data" / "maildir" / "new"
    subjects = []
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        subjects.append(str(message["Subject"]))
    return subjects


def healthy_outcome(cfg: Path) -> None:
    """The healthy source's releases are in the feeds and in the subscriber's mail."""
    titles = atom_titles(cfg)
    for title in GOOD_TITLES:
        assert title in titles, titles
        assert title in atom_titles(cfg, "agency/cbp")
    subjects = mailed_subjects(cfg)
    for title in GOOD_TITLES:
        assert f"CBP: {title}" in subjects, subjects
