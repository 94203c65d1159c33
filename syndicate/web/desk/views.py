"""The desk's pages: the queue, one brief beside its release, edits and decisions.

Every handler here runs behind `auth.signed_in` (a live session; a POST also needs the
session's form token). Decisions and edits go through `pipeline.review`, which re-runs the
faithfulness gate and records each action in the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from syndicate import brief as stage
from syndicate.brief.faithful import normalise
from syndicate.errors import StoreError
from syndicate.model import Article, Brief
from syndicate.pipeline import edits, review
from syndicate.store.desk import Queued
from syndicate.web.desk.auth import page, site_of
from syndicate.web.site import Refusal

RECENT = timedelta(days=2)
FILTERS = (("state", "State"), ("agency", "Agency"), ("source", "Source"), ("engine", "Engine"))


def _age(since: datetime, now: datetime) -> str:
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def _keys(row: Queued) -> dict[str, tuple[str, ...]]:
    return {
        "state": (row.state,), "agency": (row.agency,), "source": row.sources,
        "engine": (row.engine,),
    }  # fmt: skip


async def queue(request: Request, editor: str) -> Response:
    site = site_of(request)
    now = site.clock()
    rows = site.store.desk.queue(published_since=now - RECENT)
    chosen = {k: request.query_params.get(k, "") for k, _ in FILTERS}
    options = {k: sorted({v for r in rows for v in _keys(r)[k]}) for k, _ in FILTERS}
    shown = [r for r in rows if all(not v or v in _keys(r)[k] for k, v in chosen.items())]
    return page(
        request, "queue", editor=editor, title="Queue", chosen=chosen,
        filters=[(k, label, options[k]) for k, label in FILTERS],
        rows=[
            {"id": r.id, "state": r.state, "age": _age(r.since, now), "agency": r.agency,
             "sources": ", ".join(r.sources), "engine": r.engine, "title": r.title}
            for r in shown
        ],
    )  # fmt: skip


def _sentences(brief: Brief) -> list[tuple[str, str, tuple[int, ...], bool]]:
    cites = {(c.part, c.text): c.sources for c in brief.provenance.cited}
    out = [("standfirst", s, cites.get(("standfirst", s), ()), False) for s in brief.summary]
    for section in brief.sections:
        out.append(("heading", section.heading, (), False))
        out += [
            ("paragraph", p, cites.get(("paragraph", p), ()), False) for p in section.paragraphs
        ]
        out += [("bullet", b, cites.get(("bullet", b), ()), False) for b in section.bullets]
    for q in brief.quotes:
        for piece in q.pieces:
            out.append(("quote", piece, cites.get(("quote", piece), ()), True))
        if q.speaker:
            out.append(("speaker", f"— {q.speaker}", (), False))
    return out


def _source(article: Article, brief: Brief) -> list[tuple[int, list[tuple[bool, str]], bool]]:
    used = {n for c in brief.provenance.cited for n in c.sources}
    quoted = [normalise(p.text) for q in stage.quotations(article) for p in q.pieces]
    out = []
    for s in stage.numbered(article):
        text = normalise(s.text)
        pieces: list[tuple[bool, str]] = [(False, text)]
        for quote in quoted:
            if quote and quote in text:
                before, _, after = text.partition(quote)
                pieces = [(False, before), (True, quote), (False, after)]
                break
        out.append((s.n, pieces, s.n in used))
    return out


def _view(
    request: Request, editor: str, brief_id: str, status: int = 200, *,
    shown: Brief | None = None, refused: list[str] | None = None, message: str = "",
) -> Response:  # fmt: skip
    site = site_of(request)
    state = site.store.desk.state(brief_id)
    if state is None:
        raise HTTPException(404)
    article = site.store.desk.article(brief_id)
    brief = shown or state.brief
    form = edits.of(brief)
    return page(
        request, "brief", status, editor=editor, title=state.title, state=state, brief=brief,
        message=message, refused=refused or [],
        verdicts=edits.verdicts(brief, article) if article else [],
        sentences=_sentences(brief), source=_source(article, brief) if article else [],
        form={
            "summary": "\n".join(form.summary), "context": form.context, "quotes": form.quotes,
            "sections": [(h, "\n".join(body)) for h, body in form.sections],
        },
        correction=state.state not in ("held", "rejected"),
        entries=site.store.desk.log(brief_id),
    )  # fmt: skip


async def show(request: Request, editor: str) -> Response:
    return _view(request, editor, request.path_params["id"])


def _edit(form: FormData) -> edits.Edit:
    def field(name: str) -> str:
        return str(form.get(name, ""))

    def count(name: str) -> int:
        value = field(name)
        return min(int(value), 50) if value.isdigit() else 0

    sections = tuple(
        (field(f"heading-{i}"), edits.lines(field(f"body-{i}"))) for i in range(count("sections"))
    )
    ordered = []
    for i in range(count("quotes")):
        position = field(f"quote-order-{i}").strip()
        if position == "0":
            continue
        where = int(position) if position.isdigit() else i + 1
        speaker = " ".join(field(f"speaker-{i}").split()) or None
        ordered.append((where, i, edits.QuoteEdit(i, speaker, edits.lines(field(f"quote-{i}")))))
    quotes = tuple(q for _, _, q in sorted(ordered, key=lambda t: (t[0], t[1])))
    return edits.Edit(edits.lines(field("summary")), sections, quotes, field("context"))


async def edit(request: Request, editor: str) -> Response:
    site = site_of(request)
    brief_id = request.path_params["id"]
    form = await request.form()
    try:
        saved = review.save(
            site.store, brief_id, _edit(form), editor, str(form.get("note", "")),
            now=site.clock(),
        )  # fmt: skip
    except StoreError as e:
        raise Refusal(400, str(e).partition(": ")[2] or str(e)) from None
    if saved.refused:
        return _view(request, editor, brief_id, 422, shown=saved.brief, refused=saved.refused)
    message = "Correction saved and republished as an update." if saved.correction else "Saved."
    return _view(request, editor, brief_id, message=message if saved.stored else "No change.")


async def approve(request: Request, editor: str) -> Response:
    site = site_of(request)
    brief_id = request.path_params["id"]
    if not review.approve(site.store, brief_id, editor, now=site.clock()):
        raise Refusal(409, "That brief is not waiting for a decision.")
    return RedirectResponse(f"/desk/briefs/{brief_id}", 303)


async def reject(request: Request, editor: str) -> Response:
    site = site_of(request)
    brief_id = request.path_params["id"]
    form = await request.form()
    try:
        done = review.reject(site.store, brief_id, editor, str(form.get("reason", "")),
                             now=site.clock())  # fmt: skip
    except StoreError:
        raise Refusal(400, "A rejection needs a reason.") from None
    if not done:
        raise Refusal(409, "That brief is not held.")
    return RedirectResponse(f"/desk/briefs/{brief_id}", 303)


async def log(request: Request, editor: str) -> Response:
    entries = site_of(request).store.desk.log()
    return page(request, "log", editor=editor, title="Log", entries=entries)
