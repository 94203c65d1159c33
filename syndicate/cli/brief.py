"""`syndicate brief PATH|URL`: print the brief of one release page.

Input: an HTML file (through the extract stage), a plain-text file (first line the title,
then paragraphs separated by blank lines; see `extract.text`), or an http(s) URL (fetched
politely by the fetch stage, then extracted). Output: the brief, as text, Markdown, HTML or
JSON, on stdout. Nothing is stored. The `[brief]` and `[attribution]` settings come from the
config file when there is one, else the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from syndicate import __version__, brief, config, extract, fetch, model
from syndicate.brief import ai
from syndicate.errors import BriefError, ExtractError
from syndicate.extract.media import looks_like_html
from syndicate.pipeline import aitry

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# Hosts whose releases belong to an agency, for when --agency is not given.
_HOSTS: dict[str, model.Agency] = {
    "cbp.gov": "CBP",
    "ice.gov": "ICE",
    "uscis.gov": "USCIS",
    "tsa.gov": "TSA",
    "fema.gov": "FEMA",
    "cisa.gov": "CISA",
    "uscg.mil": "USCG",
    "secretservice.gov": "USSS",
    "dhs.gov": "DHS",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "brief",
        help="print the brief of one release (an HTML or text file, or a URL)",
        description=(
            "Make and print the brief of one release page: an HTML file, a plain-text file "
            "(title line, then paragraphs separated by blank lines) or an http(s) URL. "
            "Exit status 1 when no faithful brief can be made."
        ),
    )
    p.add_argument(
        "document",
        metavar="PATH|URL",
        help="the release: an .html file, a plain-text file, or an http(s) URL",
    )
    p.add_argument(
        "--format",
        choices=brief.FORMATS,
        default="text",
        help="how to print the brief (default: text)",
    )
    p.add_argument(
        "--agency",
        type=str.upper,
        metavar="CODE",
        help=f"the releasing agency: {', '.join(model.AGENCIES)} or one added with [[agencies]] "
        "(default: from the URL's host, else DHS)",
    )
    p.add_argument(
        "--engine",
        choices=("extractive", "ai"),
        default=None,
        help="the engine (default: [brief] engine); `ai` asks the [brief.ai] model and shows "
        "the gate's verdict per check and each sentence's citations",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="with --engine ai: print the prompt the model would be sent, and call nothing",
    )
    p.set_defaults(func=run)


def _agency(url: str, given: str | None, cfg: config.Config) -> model.Agency:
    known = cfg.publishers
    if given is not None:
        if given not in known:
            raise BriefError(f"brief: unknown agency {given!r} ({', '.join(known)})")
        return given
    hosts = dict(_HOSTS)
    for code, publisher in known.items():  # an added agency is told by its site's host
        site = (urlsplit(publisher.site).hostname or "").lower().removeprefix("www.")
        hosts.setdefault(site, code)
    host = (urlsplit(url).hostname or "").lower()
    for suffix, code in hosts.items():
        if host == suffix or host.endswith("." + suffix):
            return code
    return "DHS"


async def _download(url: str, cfg: config.Config) -> model.Fetched:
    agent = cfg.user_agent(__version__) + " brief"
    async with fetch.Fetcher.from_config(cfg.fetch, agent) as fetcher:
        return await fetcher.get(url, accept=fetch.PAGE_ACCEPT)


def _read(document: str, cfg: config.Config) -> tuple[model.Article, datetime]:
    if document.startswith(("http://", "https://")):
        got = asyncio.run(_download(document, cfg))
        if got.status != 200:
            raise BriefError(f"brief: {got.status} from {document}")
        page = extract.article(got.body, url=got.final_url, content_type=got.header("content-type"))
        return extract.titled(page), got.fetched_at
    path = Path(document)
    if path.exists() and not path.is_dir() and not path.is_file():
        raise BriefError(f"brief: {path} is not a regular file")  # a FIFO, /dev/zero: no end
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BriefError(f"brief: cannot read {path}: {e.strerror}") from None
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    url = path.resolve().as_uri()
    try:
        extract.kind(data, None)  # only HTML, XHTML and text: a PDF or random bytes stop here
        if path.suffix.lower() in _HTML_SUFFIXES or looks_like_html(data):
            return extract.titled(extract.article(data, url=url, rules=None)), fetched_at
    except ExtractError as e:  # name the file: "extract: empty page" alone says too little
        raise BriefError(f"brief: {path}: {e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BriefError(f"brief: {path} is neither HTML nor UTF-8 text") from None
    try:
        return extract.from_text(text, url), fetched_at
    except ExtractError as e:
        raise BriefError(f"brief: {path}: {e}") from None


def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.config) if Path(args.config).is_file() else config.parse("")
    page, fetched_at = _read(args.document, cfg)
    agency = _agency(page.url, args.agency, cfg)
    known = next((s for s in cfg.source_list() if s.agency == agency), None)
    source = known or model.Source(
        id=agency.lower(), name=cfg.agency_names[agency], agency=agency, kind="page", url=page.url
    )
    made = brief.make(
        page,
        id=page.url,
        source=source,
        attribution=cfg.attribution.attribution(),
        fetched_at=fetched_at,
        topics=cfg.brief.topics,
        target_words=cfg.brief.target_words,
        engine="extractive",
    )
    if (args.engine or cfg.brief.engine) == "ai" or args.explain:
        return _ai(cfg, page, made, args)
    print(brief.render(made, args.format), end="")
    return 0


def _ai(
    cfg: config.Config, page: model.Article, base: model.Brief, args: argparse.Namespace
) -> int:
    """The AI engine's brief of one release with the gate's verdicts and the citations."""
    if args.explain:
        text = ai.template(cfg.brief.ai.prompt_path(Path(cfg.root)))
        made = ai.prompt(page, text, cfg.brief.target_words)
        print(
            f"# prompt version {made.version}; for {cfg.brief.ai.model!r} "
            f"at {cfg.brief.ai.endpoint()}"
        )
        for message in made.messages:
            print(f"## {message['role']}\n{message['content']}")
        return 0
    tried = asyncio.run(aitry.attempt(cfg, page, base))
    print(brief.render(tried.brief, args.format), end="")
    out = sys.stderr if args.format == "json" else sys.stdout
    print("\ngate:", file=out)
    for v in tried.verdicts:
        print(f"  {v.check:<12} {'pass' if v.ok else 'FAIL: ' + (v.reason or '')}", file=out)
    if tried.reason:
        print(f"fell back to the extractive brief: {tried.reason}", file=out)
    else:
        print("citations:", file=out)
        for c in tried.brief.provenance.cited:
            print(f"  [{', '.join(map(str, c.sources)) or '-'}] {c.part}: {c.text}", file=out)
    if tried.answer is not None:
        a = tried.answer
        print(
            f"cost: {a.prompt_tokens} + {a.completion_tokens} tokens, {a.latency:.2f} s", file=out
        )
    return 0
