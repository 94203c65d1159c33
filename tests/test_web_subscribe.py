"""Subscribing over real HTTP: double opt-in (confirmed by a button, never by a GET),
preferences, unsubscribe (RFC 8058 one-click), CSRF, tokens that cannot be forged, reused or
used after they expire, and the subscribe rate limits.

The app is served by uvicorn on 127.0.0.1; its confirmation mail goes to an in-memory
transport (the browser test sends it through a real SMTP server). Each test speaks from its
own client address (X-Forwarded-For, which uvicorn trusts from 127.0.0.1), so the per-client
limits of one test do not touch another's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import httpx
import pytest
from browser_support import NOW, Outbox, Served, link_in, outline, served

from syndicate import tokens
from syndicate.errors import TemporaryFailure
from syndicate.model import Subscriber

__all__ = ["served"]

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def outbox(s: Served) -> Outbox:
    box: Outbox = s.site.transport
    return box


def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait for work done after the answer (the confirmation is sent in the background)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for background work")
        time.sleep(0.02)


def mail_to(s: Served, address: str, count: int = 1) -> EmailMessage:
    """The `count`-th message sent to `address`."""

    def sent() -> list[EmailMessage]:
        return [m for m in outbox(s).messages if m["To"] and address in m["To"]]

    eventually(lambda: len(sent()) >= count)
    return sent()[count - 1]


def path_of(url: str) -> str:
    return urlsplit(url).path


def subscribe(
    c: httpx.Client,
    address: str,
    cadence: str = "daily",
    agencies: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
) -> httpx.Response:
    """Fill in and send the home page's form, as a browser would."""
    token = CSRF.search(c.get("/").text)
    assert token, "no CSRF field on the home page"
    data = {"address": address, "cadence": cadence, "csrf": token.group(1)}
    return c.post("/subscribe", data={**data, "agencies": list(agencies), "topics": list(topics)})


def state(s: Served, address: str) -> Subscriber:
    found = s.store.subscribers.by_email(address)
    assert found is not None, f"{address} is not in the store"
    return found


def snapshot(s: Served) -> list[Subscriber]:
    return s.store.subscribers.all()


def walk(s: Served) -> dict[str, str]:
    """Subscribe, confirm, change preferences and unsubscribe; every page seen, by name."""
    address = "walker@example.gov"
    pages: dict[str, str] = {}
    with s.client("198.51.100.200") as c:
        sent = subscribe(c, address, "weekly", ("DHS",), ("maritime",))
        pages["subscribe sent"] = sent.text
        confirm = path_of(link_in(mail_to(s, address), "/confirm/"))
        button = c.get(confirm)
        pages["confirm"] = button.text
        csrf = CSRF.search(button.text)
        assert csrf
        pages["confirmed"] = c.post(confirm, data={"csrf": csrf.group(1)}).text
        prefs = s.site.link("preferences", state(s, address))
        page = c.get(prefs)
        pages["preferences"] = page.text
        csrf = CSRF.search(page.text)
        assert csrf
        saved = c.post(prefs, data={"cadence": "daily", "csrf": csrf.group(1)})
        pages["preferences saved"] = saved.text
        unsubscribe = s.site.link("unsubscribe", state(s, address))
        pages["unsubscribe"] = c.get(unsubscribe).text
        pages["unsubscribed"] = c.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).text
        pages["old preferences link"] = c.get(prefs).text
        csrf = CSRF.search(c.get("/").text)
        assert csrf
        bad = {"address": "walker@", "cadence": "weekly", "csrf": csrf.group(1)}
        pages["bad address"] = c.post("/subscribe", data=bad).text
    return pages


def test_double_opt_in_then_preferences_then_unsubscribe(served: Served) -> None:
    s = served
    address = "ana.flores@example.gov"
    with s.client("198.51.100.1") as c:
        sent = subscribe(c, "Ana.Flores@Example.GOV", "weekly", ("CISA", "DHS"), ("cybersecurity",))
        assert sent.status_code == 200
        assert "Check your inbox" in sent.text
        eventually(lambda: s.store.subscribers.by_email(address) is not None)
        pending = state(s, address)
        assert pending.status == "pending"
        assert (pending.cadence, pending.agencies, pending.topics) == (
            "weekly",
            ("CISA", "DHS"),
            ("cybersecurity",),
        )

        message = mail_to(s, address)
        confirm = path_of(link_in(message, "/confirm/"))
        assert c.head(confirm).status_code == 200
        button = c.get(confirm)
        assert button.status_code == 200 and "<h1>Confirm your subscription</h1>" in button.text
        assert f'<form method="post" action="{confirm}">' in button.text
        assert '<button type="submit">Confirm my subscription</button>' in button.text
        assert button.headers["cache-control"] == "no-store"
        assert state(s, address).status == "pending", "GET and HEAD must not confirm"
        csrf = CSRF.search(button.text)
        assert csrf
        page = c.post(confirm, data={"csrf": csrf.group(1)})
        assert page.status_code == 200 and "You are subscribed" in page.text
        assert state(s, address).status == "active"
        assert page.headers["cache-control"] == "no-store"

        prefs = re.search(r'href="(/preferences/[^"]+)"', page.text)
        assert prefs, "the confirmation page links to the preferences"
        form = c.get(prefs.group(1))
        assert form.headers["cache-control"] == "no-store"
        assert 'value="weekly" checked' in form.text
        assert 'value="CISA" checked' in form.text and 'value="USCG">' in form.text
        csrf = CSRF.search(form.text)
        assert csrf
        saved = c.post(
            prefs.group(1),
            data={"cadence": "immediate", "agencies": ["FEMA"], "csrf": csrf.group(1)},
        )
        assert saved.status_code == 200 and "Your preferences are saved." in saved.text
        now = state(s, address)
        assert (now.status, now.cadence, now.agencies, now.topics) == (
            "active",
            "immediate",
            ("FEMA",),
            (),
        )

        unsub = re.search(r'href="(/unsubscribe/[^"]+)"', saved.text)
        assert unsub
        assert c.head(unsub.group(1)).status_code == 200
        button = c.get(unsub.group(1))
        assert '<button type="submit">Unsubscribe</button>' in button.text
        assert state(s, address).status == "active", "GET and HEAD must not unsubscribe"
        done = c.post(unsub.group(1), data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and "You are unsubscribed" in done.text
        assert state(s, address).status == "unsubscribed"
        # An old confirmation link does not undo the unsubscribe, shown or pressed: it says
        # the address is unsubscribed and offers the form to subscribe again.
        for answer in (c.get(confirm), c.post(confirm, data={"csrf": csrf.group(1)})):
            assert answer.status_code == 200 and "<h1>You are unsubscribed</h1>" in answer.text
            assert '<button type="submit">Subscribe again</button>' in answer.text
        assert state(s, address).status == "unsubscribed"


def test_rfc8058_one_click_post_needs_no_cookie_or_form_token(served: Served) -> None:
    s = served
    subscriber = s.store.subscribers.add("one.click@example.gov", "daily", confirmed=True)
    url = s.site.link("unsubscribe", subscriber)
    # Exactly what a mail client sends (RFC 8058 section 3.2): no cookies, no CSRF field.
    with httpx.Client(base_url=s.url, timeout=10) as bare:
        r = bare.post(
            url,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert r.status_code == 200
    assert state(s, "one.click@example.gov").status == "unsubscribed"


def test_the_answer_is_the_same_for_known_and_unknown_addresses(served: Served) -> None:
    s = served
    known = s.store.subscribers.add("known@example.gov", "weekly", ("USCG",), confirmed=True)
    with s.client("198.51.100.3") as c:
        first = subscribe(c, "known@example.gov", "immediate", ("TSA",))
        second = subscribe(c, "stranger@example.gov", "immediate", ("TSA",))
    assert first.status_code == second.status_code == 200
    assert first.text.replace("known@", "X@") == second.text.replace("stranger@", "X@")
    assert sorted(first.headers.keys()) == sorted(second.headers.keys())
    mail_to(s, "stranger@example.gov")
    # The known, active subscriber's choices are untouched and nothing was mailed to them.
    after = state(s, "known@example.gov")
    assert (after.status, after.cadence, after.agencies) == ("active", "weekly", ("USCG",))
    assert after.secret == known.secret
    assert not [m for m in outbox(s).messages if "known@example.gov" in str(m["To"])]


def test_a_mail_failure_changes_neither_the_answer_nor_the_pending_state(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = served
    tried: list[object] = []

    async def refuse(message: object) -> str:
        tried.append(message)
        raise TemporaryFailure("deliver: 421 try again later")

    monkeypatch.setattr(outbox(s), "send", refuse)
    with s.client("198.51.100.7") as c:
        r = subscribe(c, "unlucky@example.gov")
    assert r.status_code == 200 and "Check your inbox" in r.text
    eventually(lambda: tried)
    assert state(s, "unlucky@example.gov").status == "pending"


def test_forms_need_their_csrf_token(served: Served) -> None:
    s = served
    before = snapshot(s)
    with s.client("198.51.100.4") as c:
        no_cookie = c.post("/subscribe", data={"address": "x@example.gov", "csrf": "a.b"})
        assert no_cookie.status_code == 403
        real = CSRF.search(c.get("/").text)
        assert real
        wrong = c.post("/subscribe", data={"address": "x@example.gov", "csrf": real.group(1) + "0"})
        assert wrong.status_code == 403
        missing = c.post("/subscribe", data={"address": "x@example.gov"})
        assert missing.status_code == 403
    # A cookie the attacker chose, echoed in the field, is not one we signed.
    with s.client("198.51.100.4") as forged:
        forged.cookies.set("syndicate_csrf", "nonce.0123456789abcdef0123456789abcdef")
        r = forged.post(
            "/subscribe",
            data={"address": "x@example.gov", "csrf": "nonce.0123456789abcdef0123456789abcdef"},
        )
        assert r.status_code == 403
    time.sleep(0.2)
    assert snapshot(s) == before


@pytest.mark.parametrize(
    ("field", "why"),
    [
        ({"cadence": "hourly"}, "Choose how often to receive mail."),
        ({"agencies": ["NASA"]}, "Choose agencies and topics from the lists offered."),
    ],
)
def test_bad_form_input_is_400_and_stores_nothing(
    served: Served, field: dict[str, object], why: str
) -> None:
    s = served
    before = snapshot(s)
    with s.client("198.51.100.5") as c:
        csrf = CSRF.search(c.get("/").text)
        assert csrf
        data = {"address": "fine@example.gov", "cadence": "daily", "csrf": csrf.group(1), **field}
        r = c.post("/subscribe", data=data)
    assert r.status_code == 400
    assert "<h1>Bad request</h1>" in r.text and f"<p>{why}</p>" in r.text
    time.sleep(0.2)
    assert snapshot(s) == before


def test_bad_tokens_get_404_and_change_nothing(served: Served) -> None:
    s = served
    me = s.store.subscribers.add("token.owner@example.gov", "daily", confirmed=True)
    other = s.store.subscribers.add("bystander@example.gov", "weekly", confirmed=True)
    gone = s.store.subscribers.add("gone@example.gov", "weekly")
    gone_token = tokens.make(s.site.secret, "unsubscribe", gone.id, gone.secret)
    assert s.store.subscribers.remove("gone@example.gov")
    mine = {p: tokens.make(s.site.secret, p, me.id, me.secret, now=NOW) for p in tokens.PURPOSES}
    mac = mine["unsubscribe"].split(".")[1]
    bad = {
        "forged": f"{me.id}.{'A' * len(mac)}",
        "other key": tokens.make(b"not the service secret", "unsubscribe", me.id, me.secret),
        "wrong purpose": mine["preferences"],
        "confirm as unsubscribe": mine["confirm"],
        "someone else's id": f"{other.id}.{mac}",
        "removed subscriber": gone_token,
        "garbage": "not-a-token",
        "no id": f".{mac}",
    }
    before = snapshot(s)
    with s.client("198.51.100.6") as c:
        for name, token in bad.items():
            for method in ("GET", "POST"):
                r = c.request(
                    method, f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
                )
                assert r.status_code == 404, f"{name} {method}"
                assert "Not found" in r.text
        for purpose, token in (("confirm", mine["unsubscribe"]), ("preferences", mine["confirm"])):
            assert c.get(f"/{purpose}/{token}").status_code == 404
            assert c.get(f"/{purpose}/{token}x").status_code == 404
    assert snapshot(s) == before
    # And the genuine token still works.
    with s.client("198.51.100.6") as c:
        assert c.post(f"/unsubscribe/{mine['unsubscribe']}").status_code == 200
    assert state(s, "token.owner@example.gov").status == "unsubscribed"


def test_a_subscribe_flood_is_throttled(served: Served) -> None:
    s = served
    limit = s.config.web.subscribe_per_hour
    with s.client("203.0.113.66") as c:
        answers = [subscribe(c, f"flood{n}@example.gov").status_code for n in range(limit + 3)]
        assert answers == [200] * limit + [429] * 3
        last = subscribe(c, "one.more@example.gov")
        assert last.status_code == 429 and int(last.headers["retry-after"]) > 0
        assert "Too many requests" in last.text

    def flooded() -> int:
        return len([x for x in snapshot(s) if x.email.startswith("flood")])

    eventually(lambda: flooded() >= limit)
    time.sleep(0.3)
    assert flooded() == limit
    assert s.store.subscribers.by_email("one.more@example.gov") is None


def test_one_address_is_limited_whoever_asks(served: Served) -> None:
    s = served
    limit = s.config.web.subscribe_per_hour
    target = "victim@example.gov"
    codes = []
    for n in range(limit + 2):
        # A different client each time: only the per-address limit can stop this.
        with s.client(f"203.0.113.{n + 1}") as c:
            codes.append(subscribe(c, target).status_code)
    assert codes == [200] * limit + [429] * 2
    mail_to(s, target, 3)
    time.sleep(0.3)
    # However many asked, the address got at most three confirmation mails today.
    assert len([m for m in outbox(s).messages if target in str(m["To"])]) == 3


def test_only_the_confirm_button_with_its_form_token_confirms(served: Served) -> None:
    s = served
    address = "scanned@example.gov"
    pending = s.store.subscribers.add(address, "daily", ("USCG",))
    url = s.site.link("confirm", pending)
    # A mail scanner or link preview: fetches the link (and whatever it finds), no cookies kept.
    with httpx.Client(base_url=s.url, timeout=10) as scanner:
        for method in ("GET", "HEAD", "GET"):
            assert scanner.request(method, url).status_code == 200
    assert state(s, address) == pending, "fetching the link must change nothing"
    with s.client("198.51.100.8") as c:
        page = c.get(url)
        shown = outline(page.text)
        assert shown.scripts == 0 and shown.inline_styles == 0 and shown.handlers == []
        real = CSRF.search(page.text)
        assert real
        refused = {
            "no field": {},
            "wrong field": {"csrf": real.group(1) + "0"},
            "other field name": {"List-Unsubscribe": "One-Click"},
        }
        for name, data in refused.items():
            assert c.post(url, data=data).status_code == 403, name
    # The field alone, without the cookie it pairs with (a cross-site form, a bot replaying it).
    with httpx.Client(base_url=s.url, timeout=10) as bare:
        assert bare.post(url, data={"csrf": real.group(1)}).status_code == 403
    # A cookie and field the client made up, matching each other but not signed by us.
    with s.client("198.51.100.8") as forged:
        fake = "nonce.0123456789abcdef0123456789abcdef"
        forged.cookies.set("syndicate_csrf", fake)
        assert forged.post(url, data={"csrf": fake}).status_code == 403
    assert state(s, address) == pending

    with s.client("198.51.100.8") as c:
        csrf = CSRF.search(c.get(url).text)
        assert csrf
        done = c.post(url, data={"csrf": csrf.group(1)})
        assert done.status_code == 200 and "<h1>You are subscribed</h1>" in done.text
        active = state(s, address)
        assert (active.status, active.confirmed) == ("active", NOW)
        assert (active.cadence, active.agencies) == ("daily", ("USCG",))
        # Pressing again, or fetching the link again, leaves the active subscriber as it is.
        assert "You are subscribed" in c.post(url, data={"csrf": csrf.group(1)}).text
        assert "You are subscribed" in c.get(url).text
    assert state(s, address) == active


def test_expired_forged_and_wrong_purpose_confirm_tokens_do_nothing(served: Served) -> None:
    s = served
    me = s.store.subscribers.add("late.confirmer@example.gov", "weekly")
    key = s.site.secret

    def confirm_token(issued: datetime = NOW, secret: bytes = key) -> str:
        return tokens.make(secret, "confirm", me.id, me.secret, now=issued)

    expired = confirm_token(NOW - timedelta(days=tokens.CONFIRM_DAYS + 2))
    ident, day, mac = confirm_token().split(".")
    bad = {
        "expired": expired,
        "re-dated (an expired mac with today's day)": f"{ident}.{day}.{expired.split('.')[2]}",
        "issued in the future": confirm_token(NOW + timedelta(days=3)),
        "forged": f"{ident}.{day}.{'A' * len(mac)}",
        "other key": confirm_token(secret=b"not the service secret"),
        "unsubscribe token": tokens.make(key, "unsubscribe", me.id, me.secret),
        "preferences token": tokens.make(key, "preferences", me.id, me.secret),
        "no day": f"{ident}.{mac}",
        "garbage": "not-a-token",
    }
    before = snapshot(s)
    with s.client("198.51.100.9") as c:
        csrf = CSRF.search(c.get("/").text)
        assert csrf, "a genuine form token, so only the link token can be refused"
        for name, token in bad.items():
            for method in ("GET", "HEAD", "POST"):
                r = c.request(method, f"/confirm/{token}", data={"csrf": csrf.group(1)})
                assert r.status_code == 404, f"{name} {method}"
                assert method == "HEAD" or "<h1>Not found</h1>" in r.text, f"{name} {method}"
    assert snapshot(s) == before
    # A link still inside its CONFIRM_DAYS works, so the refusals above are about the token.
    late = confirm_token(NOW - timedelta(days=tokens.CONFIRM_DAYS))
    with s.client("198.51.100.9") as c:
        page = c.get(f"/confirm/{late}")
        assert "Confirm my subscription" in page.text
        form = CSRF.search(page.text)
        assert form
        assert c.post(f"/confirm/{late}", data={"csrf": form.group(1)}).status_code == 200
    assert state(s, "late.confirmer@example.gov").status == "active"


def test_a_bad_address_gives_the_form_back_as_it_was_sent(served: Served) -> None:
    s = served
    before = snapshot(s)
    with s.client("198.51.100.21") as c:
        csrf = CSRF.search(c.get("/").text)
        assert csrf
        data = {
            "address": "ana@@example.gov",
            "cadence": "weekly",
            "agencies": ["CBP", "USCG"],
            "topics": ["maritime"],
            "csrf": csrf.group(1),
        }
        r = c.post("/subscribe", data=data)
    assert r.status_code == 400
    page = r.text
    assert (
        '<p class="error" id="address-error" role="alert">That does not look like an email' in page
    )
    assert 'value="ana@@example.gov"' in page and 'aria-invalid="true"' in page
    assert re.search(r'id="cadence-weekly" value="weekly" checked', page)
    assert re.search(r'id="agency-cbp" value="CBP" checked', page)
    assert re.search(r'id="agency-uscg" value="USCG" checked', page)
    assert re.search(r'id="topic-maritime" value="maritime" checked', page)
    assert not re.search(r'id="agency-ice" value="ICE" checked', page)
    assert not re.search(r'id="cadence-daily" value="daily" checked', page)
    time.sleep(0.2)
    assert snapshot(s) == before


def test_old_links_of_an_unsubscribed_address_offer_to_subscribe_again(served: Served) -> None:
    s = served
    key = tokens.load_secret(s.config.web.secret_env, s.config.data_dir)
    me = s.store.subscribers.add("left@example.gov", "weekly", ("FEMA",), (), confirmed=True)
    me = s.store.subscribers.unsubscribe(me.id, now=NOW)
    with s.client("198.51.100.22") as c:
        for purpose in ("preferences", "unsubscribe"):
            r = c.get(f"/{purpose}/{tokens.make(key, purpose, me.id, me.secret)}")
            assert r.status_code == 200, purpose
            assert "<h1>You are unsubscribed</h1>" in r.text
            assert "No more mail goes to left@example.gov." in r.text
            # The form to come back, filled with what they had chosen.
            assert 'value="left@example.gov"' in r.text
            assert re.search(r'id="cadence-weekly" value="weekly" checked', r.text)
            assert re.search(r'id="agency-fema" value="FEMA" checked', r.text)
        csrf = CSRF.search(r.text)
        assert csrf
        again = c.post(
            "/subscribe",
            data={"address": "left@example.gov", "cadence": "weekly", "csrf": csrf.group(1)},
        )
        assert again.status_code == 200 and "Check your inbox" in again.text
    time.sleep(0.3)
    assert state(s, "left@example.gov").status == "pending"  # double opt-in again


def test_429_says_when_to_try_again(served: Served) -> None:
    s = served
    limit = s.config.web.subscribe_per_hour
    with s.client("198.51.100.23") as c:
        csrf = CSRF.search(c.get("/").text)
        assert csrf
        for i in range(limit + 1):
            r = c.post(
                "/subscribe",
                data={"address": f"t{i}@example.gov", "cadence": "daily", "csrf": csrf.group(1)},
            )
    assert r.status_code == 429
    wait = int(r.headers["retry-after"])
    assert 0 < wait <= 3601
    found = re.search(
        r"Please try again in about (\d+) (minutes|seconds) \(after (\d\d):(\d\d) UTC\)", r.text
    )
    assert found, r.text
    minutes = int(found.group(1)) * (1 if found.group(2) == "minutes" else 1 / 60)
    assert abs(minutes * 60 - wait) <= 60
