"""The editorial desk: review modes hold briefs out of every feed, page and digest until an
editor approves; the desk's routes refuse without a live session and form token; login is
throttled; edits go through the faithfulness gate; context and corrections show everywhere.

Briefs are made by the extractive engine from the test releases in tests/data/briefs, and
stored through `store.items.save` as a poll stores them. The web side runs on a real uvicorn
on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest
from brief_support import make
from browser_support import make_config, running, vnu, vnu_problem

from syndicate import store as stores
from syndicate import web
from syndicate.brief import render
from syndicate.config import Config
from syndicate.model import Brief, Item
from syndicate.pipeline import mail, review
from syndicate.pipeline.feeds import publish
from syndicate.store import Store
from syndicate.web.desk import GUARDED
from syndicate.web.desk.auth import COOKIE

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent


def _config(root: Path, mode: str) -> Config:
    make_config(root)
    text = (root / "config.toml").read_text() + f'\n[review]\nmode = "{mode}"\n'
    (root / "config.toml").write_text(text)
    from syndicate import config as configs

    return configs.load(root / "config.toml")


def _store_brief(store: Store, case: str, *, engine: str | None = None) -> Brief:
    made, article = make(case)
    made = replace(made, id=f"desk-{case}")
    if engine is not None:
        made = replace(made, provenance=replace(made.provenance, engine=engine))
    item = Item(source_id="dhs", key=case, title=made.title, url=made.url)
    store.items.save(item, now=NOW, article=article, brief=made, content_sha256="x" * 64)
    return made


@dataclass
class Desk:
    url: str
    config: Config
    store: Store
    held: Brief
    now: list[datetime]

    def client(self, ip: str = "192.0.2.10") -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-Forwarded-For": ip}, timeout=10)

    def login(self, client: httpx.Client, name: str = "Dana Reyes") -> str:
        page = client.get("/desk/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf, page.text
        answer = client.post(
            "/desk/login", data={"csrf": csrf.group(1), "name": name, "password": PASSWORD}
        )
        assert answer.status_code == 303, answer.text
        token = answer.cookies.get(COOKIE)
        assert token
        # httpx (rightly) keeps a Secure cookie off plain http: send it by hand.
        client.cookies.set(COOKIE, token)
        return token

    def form_token(self, client: httpx.Client, brief_id: str) -> str:
        page = client.get(f"/desk/briefs/{brief_id}")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("desk")
    config = _config(root, "all")
    config.data_dir.mkdir()
    store = stores.open(config.database_url)
    review.install(store, config)
    held = _store_brief(store, "ecuador-mou")
    store.desk.add_editor("Dana Reyes", PASSWORD, now=NOW)
    clock = [NOW]
    app = web.app(config, store, clock=lambda: clock[0])
    try:
        with running(app) as url:
            yield Desk(url, config, store, held, clock)
    finally:
        store.close()


# --- review modes and what a held brief reaches ----------------------------------------------


@pytest.mark.parametrize(
    ("mode", "engine", "held"),
    [("off", "ai/test-model", False), ("ai", "ai/test-model", True), ("ai", None, False),
     ("all", None, True)],
)  # fmt: skip
def test_modes_hold_the_right_briefs(
    tmp_path: Path, mode: str, engine: str | None, held: bool
) -> None:
    config = _config(tmp_path, mode)
    store = stores.open(config.database_url)
    try:
        review.install(store, config)
        made = _store_brief(store, "cbp-seizure", engine=engine)
        assert (store.briefs.visible(made.id) is None) is held
        assert (store.desk.state(made.id).state == "held") is held  # type: ignore[union-attr]
    finally:
        store.close()


def test_held_brief_leaks_nowhere_until_approved(tmp_path: Path) -> None:
    config = _config(tmp_path, "all")
    config.data_dir.mkdir()
    store = stores.open(config.database_url)
    try:
        review.install(store, config)
        sub = store.subscribers.add("reader@example.org", "immediate", confirmed=True, now=NOW)
        assert sub.status == "active"
        made = _store_brief(store, "fema-disaster")
        publish(store, config, now=NOW)
        feeds = config.feeds_dir
        texts = [p.read_text() for p in feeds.rglob("*") if p.is_file()]
        assert texts and not any(made.id in t or made.title in t for t in texts)
        assert made.id not in [b.id for b in store.briefs.latest(50)]
        assert store.briefs.visible(made.id) is None
        assert made.id not in [c.brief.id for c in store.briefs.changes(0)]
        assert mail.preview(store, config, "reader@example.org", "text", now=NOW) is None
        app = web.app(config, store, clock=lambda: NOW)
        with running(app) as url, httpx.Client(base_url=url) as client:
            assert client.get(f"/briefs/{made.id}").status_code == 404
            assert made.title not in client.get("/").text
            assert made.title not in client.get("/agency/fema").text

            assert review.approve(store, made.id, "Dana Reyes", now=NOW)
            publish(store, config, now=NOW)
            assert client.get(f"/briefs/{made.id}").status_code == 200
            parsed = feedparser.parse((feeds / "all.atom").read_bytes())
            assert [e.title for e in parsed.entries] == [made.title]
        text = mail.preview(store, config, "reader@example.org", "text", now=NOW)
        assert text is not None and made.summary[0][:40] in " ".join(text.split())
        assert [e.action for e in store.desk.log(made.id)] == ["approve"]
    finally:
        store.close()


def test_auto_publish_after(tmp_path: Path) -> None:
    config = _config(tmp_path, "all")
    text = (tmp_path / "config.toml").read_text() + 'auto_publish_after = "6h"\n'
    (tmp_path / "config.toml").write_text(text)
    from syndicate import config as configs

    config = configs.load(tmp_path / "config.toml")
    assert config.review.auto_publish_after == 6 * 3600
    store = stores.open(config.database_url, clock=lambda: NOW)
    try:
        review.install(store, config)
        made = _store_brief(store, "cisa-advisory")
        assert review.auto_publish_after(store, config, now=NOW + timedelta(hours=5)) == []
        assert review.auto_publish_after(store, config, now=NOW + timedelta(hours=7)) == [made.id]
        assert store.briefs.visible(made.id) is not None
    finally:
        store.close()


def test_a_hidden_held_brief_stays_out_until_restored_then_waits_on_the_desk(
    tmp_path: Path,
) -> None:
    """Hiding a brief still on the desk: neither approval nor auto-publish lets it out; a
    restore puts it back on the desk, held, not published."""
    config = _config(tmp_path, "all")
    text = (tmp_path / "config.toml").read_text() + 'auto_publish_after = "1h"\n'
    (tmp_path / "config.toml").write_text(text)
    from syndicate import config as configs

    config = configs.load(tmp_path / "config.toml")
    config.data_dir.mkdir(exist_ok=True)
    store = stores.open(config.database_url, clock=lambda: NOW)
    try:
        review.install(store, config)
        made = _store_brief(store, "fema-disaster")
        assert store.takedowns.hide(made.id, reason="wrong county", now=NOW)
        state = store.desk.state(made.id)
        assert state is not None and state.state == "hidden"
        assert not review.approve(store, made.id, "Dana Reyes", now=NOW)
        assert review.auto_publish_after(store, config, now=NOW + timedelta(hours=2)) == []
        publish(store, config, now=NOW + timedelta(hours=2))
        texts = [p.read_text() for p in config.feeds_dir.rglob("*") if p.is_file()]
        assert texts and not any(made.title in t for t in texts)
        assert store.briefs.visible(made.id) is None

        assert store.takedowns.restore(made.id, now=NOW + timedelta(hours=3))
        state = store.desk.state(made.id)
        assert state is not None and state.state == "held"
        assert store.briefs.visible(made.id) is None
        assert review.approve(store, made.id, "Dana Reyes", now=NOW + timedelta(hours=3))
        publish(store, config, now=NOW + timedelta(hours=3))
        parsed = feedparser.parse((config.feeds_dir / "all.atom").read_bytes())
        assert [e.title for e in parsed.entries] == [made.title]
    finally:
        store.close()


# --- security ---------------------------------------------------------------------------------


def _each_route(brief_id: str) -> list[tuple[str, str]]:
    out = []
    for path in GUARDED:
        path = path.replace("{id}", brief_id)
        post = path.endswith(("/edit", "/approve", "/reject", "/logout"))
        out.append(("POST" if post else "GET", path))
    return out


def _refused(answer: httpx.Response) -> bool:
    if answer.status_code == 303:
        return answer.headers["location"] == "/desk/login"
    return answer.status_code == 403 and "Desk" not in answer.text


def test_every_desk_route_refuses_without_a_session(desk: Desk) -> None:
    forged = "A" * 43
    for cookie in (None, forged):
        with desk.client() as client:
            if cookie:
                client.cookies.set(COOKIE, cookie)
            for method, path in _each_route(desk.held.id):
                answer = client.request(method, path, data={"csrf": "x"})
                assert _refused(answer), (method, path, cookie, answer.status_code)
    assert desk.store.desk.state(desk.held.id).state == "held"  # type: ignore[union-attr]


def test_expired_session_is_refused(desk: Desk) -> None:
    with desk.client("192.0.2.11") as client:
        desk.login(client)
        assert client.get("/desk/").status_code == 200
        desk.now[0] = NOW + timedelta(hours=13)
        try:
            for method, path in _each_route(desk.held.id):
                answer = client.request(method, path, data={"csrf": "x"})
                assert _refused(answer), (method, path)
        finally:
            desk.now[0] = NOW


def test_posts_without_the_form_token_are_refused(desk: Desk) -> None:
    with desk.client("192.0.2.12") as client:
        desk.login(client)
        for method, path in _each_route(desk.held.id):
            if method != "POST":
                continue
            for data in ({}, {"csrf": "0" * 64}):
                answer = client.post(path, data=data)
                assert answer.status_code == 403, (path, answer.status_code)
        # The session still works: the refusals were for the token, not the session.
        assert client.get("/desk/").status_code == 200
    assert desk.store.desk.state(desk.held.id).state == "held"  # type: ignore[union-attr]


def test_session_cookie_is_secure_httponly_samesite_and_expires(desk: Desk) -> None:
    with desk.client("192.0.2.13") as client:
        page = client.get("/desk/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = client.post(
            "/desk/login", data={"csrf": csrf, "name": "Dana Reyes", "password": PASSWORD}
        )
    header = answer.headers["set-cookie"].lower()
    for part in ("secure", "httponly", "samesite=strict", "max-age=43200", "path=/desk/"):
        assert part in header, header


def test_login_throttling_holds(desk: Desk) -> None:
    desk.store.throttle.reset("desk-login:dana reyes")  # other tests signed in before
    with desk.client("192.0.2.14") as client:
        page = client.get("/desk/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        codes = []
        for _ in range(6):
            answer = client.post(
                "/desk/login", data={"csrf": csrf, "name": "Dana Reyes", "password": "wrong"}
            )
            codes.append(answer.status_code)
        assert codes == [401] * 5 + [429]
        # Even the right password waits out the window.
        right = client.post(
            "/desk/login", data={"csrf": csrf, "name": "Dana Reyes", "password": PASSWORD}
        )
        assert right.status_code == 429 and COOKIE not in right.cookies
    desk.store.throttle.reset("desk-login:dana reyes")


def test_login_without_csrf_is_refused(desk: Desk) -> None:
    with desk.client("192.0.2.15") as client:
        answer = client.post("/desk/login", data={"name": "Dana Reyes", "password": PASSWORD})
    assert answer.status_code == 403 and COOKIE not in answer.cookies


# --- editing through the gate, context, approve, correction -------------------------------------


def test_edit_refused_then_passed_then_approved_and_corrected(desk: Desk, tmp_path: Path) -> None:
    brief = desk.held
    assert brief.quotes, "the test release has a quotation"
    with desk.client("192.0.2.16") as client:
        desk.login(client)
        view = client.get(f"/desk/briefs/{brief.id}")
        assert view.status_code == 200
        assert 'href="#s1"' in view.text and 'id="s1"' in view.text and "<mark>" in view.text
        csrf = desk.form_token(client, brief.id)
        form = _form(brief, csrf)
        words = brief.quotes[0].text.split()
        form["quote-0"] = " ".join([*words[:-1], "tomorrow" + words[-1][-1:]])
        refused = client.post(f"/desk/briefs/{brief.id}/edit", data=form)
        assert refused.status_code == 422
        assert "The faithfulness gate refused the edit" in refused.text
        assert "quotes: quote not in source" in refused.text
        assert desk.store.briefs.get(brief.id) == brief  # nothing saved

        form = _form(brief, csrf)
        form["summary"] = brief.summary[0]  # drop the second standfirst sentence
        form["context"] = "The agreement follows two years of talks.\n\nIt is not yet signed."
        saved = client.post(f"/desk/briefs/{brief.id}/edit", data=form)
        assert saved.status_code == 200, saved.text
        stored = desk.store.briefs.get(brief.id)
        assert stored is not None and stored.summary == brief.summary[:1]
        assert stored.context is not None and stored.context.author == "Dana Reyes"
        assert desk.store.briefs.visible(brief.id) is None  # still held

        approved = client.post(f"/desk/briefs/{brief.id}/approve", data={"csrf": csrf})
        assert approved.status_code == 303
        publish(desk.store, desk.config, now=NOW)
        atom = feedparser.parse((desk.config.feeds_dir / "all.atom").read_bytes())
        entry = next(e for e in atom.entries if e.title == brief.title)
        assert "Context added by Dana Reyes" in entry.content[0].value
        page = client.get(f"/briefs/{brief.id}")
        assert page.status_code == 200 and "Context added by Dana Reyes" in page.text

        desk.now[0] = NOW + timedelta(hours=6)
        try:
            form = _form(stored, csrf)
            form["context"] = ""
            form["note"] = "removed the context, which overstated the talks"
            corrected = client.post(f"/desk/briefs/{brief.id}/edit", data=form)
            assert corrected.status_code == 200, corrected.text
        finally:
            desk.now[0] = NOW
        publish(desk.store, desk.config, now=NOW + timedelta(hours=6))
        again = feedparser.parse((desk.config.feeds_dir / "all.atom").read_bytes())
        fixed = next(e for e in again.entries if e.title == brief.title)
        assert fixed.id == entry.id and fixed.updated != entry.updated
        shown = client.get(f"/briefs/{brief.id}").text
        assert "Corrected on December 3, 2026: removed the context" in shown
        actions = [e.action for e in desk.store.desk.log(brief.id)]
        assert actions == ["refused", "edit", "context", "approve", "correct", "context"]
        assert "-" in desk.store.desk.log(brief.id)[1].detail  # the edit's diff

        pages = {
            "queue": client.get("/desk/").text,
            "brief": client.get(f"/desk/briefs/{brief.id}").text,
            "log": client.get("/desk/log").text,
            "login": client.get("/desk/login").text,
        }
    problem = vnu_problem()
    if problem:
        pytest.skip(problem)
    errors = vnu(pages, tmp_path)
    assert errors == {name: [] for name in pages}


def _form(brief: Brief, csrf: str) -> dict[str, str]:
    form = {"csrf": csrf, "summary": "\n".join(brief.summary), "context": "",
            "sections": str(len(brief.sections)), "quotes": str(len(brief.quotes))}  # fmt: skip
    for i, s in enumerate(brief.sections):
        form[f"heading-{i}"] = s.heading
        form[f"body-{i}"] = "\n".join([*s.paragraphs, *(f"- {b}" for b in s.bullets)])
    for i, q in enumerate(brief.quotes):
        form[f"quote-order-{i}"] = str(i + 1)
        form[f"speaker-{i}"] = q.speaker or ""
        form[f"quote-{i}"] = "\n".join(q.pieces)
    if brief.context:
        form["context"] = brief.context.text
    return form


def test_context_is_labelled_in_every_rendering(desk: Desk) -> None:
    from syndicate.model import EditorContext

    made, _ = make("uscis-guidance")
    with_context = replace(made, context=EditorContext("Sam Okafor", "Our words.", NOW))
    for fmt in ("text", "markdown", "html"):
        assert "Context added by Sam Okafor" in render(with_context, fmt)
    assert json.loads(render(with_context, "json"))["context"] == {
        "author": "Sam Okafor", "text": "Our words.", "added": "2026-12-03T12:00:00+00:00"
    }  # fmt: skip
    assert "context" not in json.loads(render(made, "json"))  # the shape is unchanged without
    assert "Context added by" not in render(made, "html")


# --- the CLI ------------------------------------------------------------------------------------


def _cli(config: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicate", "--config", str(config), *args],
        input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip


def test_cli_editors_review_and_log(tmp_path: Path) -> None:
    config = _config(tmp_path, "all")
    path = tmp_path / "config.toml"
    added = _cli(path, "editors", "add", "Lee Park", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    short = _cli(path, "editors", "add", "Kim", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least" in short.stderr + short.stdout
    assert "Lee Park" in _cli(path, "editors", "list").stdout
    store = stores.open(config.database_url)
    try:
        review.install(store, config)
        made = _store_brief(store, "split-quote")
        assert store.desk.verify("Lee Park", PASSWORD)
        assert not store.desk.verify("Lee Park", PASSWORD + "x")
        assert not store.desk.verify("Nobody", PASSWORD)  # checked against the stand-in hash
    finally:
        store.close()
    listed = _cli(path, "review", "list")
    assert made.id in listed.stdout and "held" in listed.stdout
    shown = _cli(path, "review", "show", made.id)
    assert "state: held" in shown.stdout and "check quotes: passed" in shown.stdout
    assert _cli(path, "review", "reject", made.id).returncode == 2  # --reason is required
    rejected = _cli(path, "review", "reject", made.id, "--reason", "duplicate of a DHS release")
    assert rejected.returncode == 0, rejected.stderr
    assert _cli(path, "review", "approve", made.id, "--editor", "Lee Park").returncode == 0
    assert _cli(path, "review", "approve", made.id).returncode == 1  # not waiting any more
    log = _cli(path, "desk", "log", "--brief", made.id).stdout
    assert "operator reject" in log and "Lee Park approve" in log
    assert "duplicate of a DHS release" in log
    assert _cli(path, "editors", "remove", "Lee Park").returncode == 0
    assert "none" in _cli(path, "editors", "list").stdout


def test_desk_store_on_both_dialects(store: Store) -> None:
    """Hold, reject, approve, sessions and the log on SQLite and PostgreSQL alike."""
    store.briefs.hold = lambda brief, source_id: True
    made = _store_brief(store, "cisa-kev")
    assert store.briefs.latest(10) == [] and store.briefs.changes(0) == []
    assert store.desk.reject(made.id, "Jo", "not yet", now=NOW)
    assert not store.desk.reject(made.id, "Jo", "again", now=NOW)  # only held ones
    assert store.desk.approve(made.id, "Jo", now=NOW)
    assert [b.id for b in store.briefs.latest(10)] == [made.id]
    assert [(c.brief.id, c.edits) for c in store.briefs.changes(0)] == [(made.id, 0)]
    store.desk.add_editor("Jo", PASSWORD, now=NOW)
    token = store.desk.open_session("Jo", now=NOW, ttl=timedelta(hours=1))
    assert store.desk.session(token, now=NOW) == "Jo"
    assert store.desk.session(token, now=NOW + timedelta(hours=2)) is None
    assert store.desk.set_password("Jo", PASSWORD + "!", now=NOW)
    assert store.desk.session(token, now=NOW) is None  # a new password ends sessions
    assert [e.action for e in store.desk.log(made.id)] == ["reject", "approve"]


def test_a_correction_is_mentioned_in_the_next_digest_as_the_setting_says(tmp_path: Path) -> None:
    from syndicate.clock import fixed
    from syndicate.pipeline import edits

    config = _config(tmp_path, "off")
    config.data_dir.mkdir()
    store = stores.open(config.database_url)
    try:
        review.install(store, config)
        store.subscribers.add(
            "daily@example.org", "daily", confirmed=True, now=NOW - timedelta(days=2)
        )
        made = _store_brief(store, "cbp-seizure")
        first_day = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # after 07:00 in New York
        sent = mail.run(store, config, cadence="daily", clock=fixed(first_day))
        assert sent.sent == 1, sent
        edit = replace(edits.of(made), context="Our desk checked the figures with the agency.")
        saved = review.save(
            store, made.id, edit, "Dana Reyes", "Context on the figures", now=first_day
        )
        assert saved.stored and saved.correction, saved.refused
        next_day = first_day + timedelta(days=1)
        # A correction rides with the next digest that has news (it sends none of its own).
        later = _store_brief(store, "fema-disaster")
        assert mail.run(store, config, cadence="daily", clock=fixed(next_day)).sent == 1
    finally:
        store.close()
    maildir = config.path(config.mail.maildir)
    texts = [_plain(p.read_bytes()) for p in (maildir / "new").iterdir()]
    texts.sort(key=lambda t: later.title[:30] in t)  # the first digest, then the second
    assert len(texts) == 2
    first, second = texts
    assert made.title[:30] in first and later.title[:30] not in first
    assert later.title[:30] in second
    # With corrections on (the default), the second digest lists the corrected brief as the
    # editors' correction, with their note, not as a revision by the source.
    assert f"{made.title} was corrected by our editors" in second, second
    assert "Context on the figures" in second
    assert "revised by its source" not in second


def _plain(raw: bytes) -> str:
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    part = message.get_body(("plain",))  # type: ignore[attr-defined]
    assert part is not None
    return " ".join(str(part.get_content()).split())


def test_context_reaches_every_feed_format_and_the_mail(tmp_path: Path) -> None:
    from syndicate.pipeline import edits

    config = _config(tmp_path, "all")
    config.data_dir.mkdir()
    store = stores.open(config.database_url)
    try:
        review.install(store, config)
        store.subscribers.add("now@example.org", "immediate", confirmed=True, now=NOW)
        made = _store_brief(store, "cbp-seizure")
        edit = replace(edits.of(made), context="We asked the port how the count was made.")
        assert review.save(store, made.id, edit, "Dana Reyes", "", now=NOW).stored
        assert review.approve(store, made.id, "Dana Reyes", now=NOW)
        publish(store, config, now=NOW)
        label = "Context added by Dana Reyes"
        for name in ("all.atom", "all.rss", "all.json"):
            assert label in (config.feeds_dir / name).read_text(encoding="utf-8"), name
        parsed = feedparser.parse((config.feeds_dir / "all.atom").read_bytes())
        assert label in parsed.entries[0].content[0].value
        for fmt in ("text", "html"):
            shown = mail.preview(store, config, "now@example.org", fmt, now=NOW)  # type: ignore[arg-type]
            assert shown is not None and label in " ".join(shown.split()), fmt
    finally:
        store.close()
