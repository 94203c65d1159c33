"""Rendering a digest: multipart/alternative, every header, the same briefs in both parts,
inlined CSS, no header injection, DKIM that verifies."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import dkim
import pytest
from store_support import make_brief

from syndicate import brief as briefs_stage
from syndicate import digest
from syndicate.digest import Body, Letterhead, Links, Owed, Signer
from syndicate.model import Brief, Digest, Subscriber

NOW = datetime(2026, 12, 1, 12, 5, tzinfo=UTC)  # 07:05 in New York
ZONE = ZoneInfo("America/New_York")


def subscriber(**changes: object) -> Subscriber:
    values: dict[str, object] = {
        "id": 7,
        "email": "ana.ruiz@example.net",
        "status": "active",
        "cadence": "daily",
        "secret": "s3cret",
        "created": NOW - timedelta(days=30),
        "name": "Ana Ruiz",
    }
    values.update(changes)
    return Subscriber(**values)  # type: ignore[arg-type]


def letterhead(**changes: object) -> Letterhead:
    values: dict[str, object] = {
        "name": "DHS Briefs",
        "sender": "DHS Briefs <briefs@example.org>",
        "list_id": "DHS Briefs <briefs.example.org>",
        "base_url": "https://briefs.example.org",
        "zone": ZONE,
        "unsubscribe_mailto": "unsubscribe@example.org",
    }
    values.update(changes)
    return Letterhead(**values)  # type: ignore[arg-type]


LINKS = Links(
    "https://briefs.example.org/unsubscribe/7.TOKEN-U",
    "https://briefs.example.org/preferences/7.TOKEN-P",
    "7.TOKEN-U",
)

BRIEFS = (
    make_brief(
        "b-cbp",
        title="CBP Seizes 400 Pounds of Methamphetamine at Otay Mesa",
        agency="CBP",
        source_name="U.S. Customs and Border Protection",
        published=NOW - timedelta(hours=3),
        topics=("drugs-and-trafficking",),
    ),
    make_brief(
        "b-fema",
        title="FEMA Approves $12 Million for Storm Recovery in Vermont",
        agency="FEMA",
        source_name="Federal Emergency Management Agency",
        published=NOW - timedelta(hours=5),
        topics=("disaster-response",),
    ),
    make_brief("b-uscis", published=NOW - timedelta(hours=9)),
)


def bodies(briefs: tuple[Brief, ...]) -> dict[str, Body]:
    return {
        b.id: Body(briefs_stage.render(b, "html"), briefs_stage.render(b, "text")) for b in briefs
    }


def rendered(
    briefs: tuple[Brief, ...] = BRIEFS,
    sub: Subscriber | None = None,
    more: int = 0,
    corrections: tuple[Brief, ...] = (),
    head: Letterhead | None = None,
    cadence: str = "daily",
) -> EmailMessage:
    sub = sub or subscriber()
    owed = Owed(Digest("daily:2026-12-01", sub, cadence, briefs, more, NOW), corrections)  # type: ignore[arg-type]
    message = digest.render(owed, bodies(briefs + corrections), LINKS, head or letterhead())
    parsed = message_from_bytes(message.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


class _Titles(HTMLParser):
    """Collects the text of each `.brief-title` paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and ("class", "brief-title") in attrs:
            self._depth = 1
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._depth = 0

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.titles[-1] += data


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_message_is_multipart_alternative_with_every_header() -> None:
    msg = rendered()
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["From"] == "DHS Briefs <briefs@example.org>"
    assert msg["To"] == "Ana Ruiz <ana.ruiz@example.net>"
    assert msg["Subject"] == "DHS Briefs: 3 new releases, Dec 1"
    assert parsedate_to_datetime(msg["Date"]) == NOW
    assert re.fullmatch(r"<[0-9a-f]{32}\.7@example\.org>", msg["Message-ID"])
    assert msg["List-Id"] == "DHS Briefs <briefs.example.org>"
    targets = [t.strip() for t in msg["List-Unsubscribe"].split(",")]
    assert targets == [
        "<https://briefs.example.org/unsubscribe/7.TOKEN-U>",
        "<mailto:unsubscribe@example.org?subject=unsubscribe%207.TOKEN-U>",
    ]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_same_digest_and_recipient_always_get_the_same_message_id() -> None:
    first = rendered()["Message-ID"]
    assert rendered()["Message-ID"] == first
    assert rendered(sub=subscriber(id=8, email="bo@example.net"))["Message-ID"] != first


def test_text_and_html_hold_the_same_briefs_in_the_same_order() -> None:
    text, html = parts(rendered())
    finder = _Titles()
    finder.feed(html)
    expected = [b.title for b in BRIEFS]  # newest first
    assert finder.titles == expected
    positions = [text.index(t) for t in expected]
    assert positions == sorted(positions)
    for b in BRIEFS:
        assert b.summary[0] in text and b.summary[0] in html
        # Every brief carries its Sources line and the attribution in both parts.
        assert text.count("Sources: ") == html.count("Sources: ") == len(BRIEFS)
        assert text.count(b.attribution.prepared_by) == len(BRIEFS)


def test_html_is_inlined_table_layout_with_a_hidden_preheader() -> None:
    _, html = parts(rendered())
    assert 'role="presentation"' in html
    # Only the media query stays in a <style>; every other rule was inlined.
    outside_comments = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", outside_comments, re.S)
    assert len(styles) == 1 and "@media" in styles[0]
    assert re.search(r'<td class="entry" style="[^"]*padding', html)
    preheader = re.search(r'<div class="preheader" style="([^"]*)">([^<]*)', html)
    assert preheader is not None and "display: none" in preheader.group(1)
    assert BRIEFS[0].title in preheader.group(2)


def test_footer_has_preferences_unsubscribe_and_why() -> None:
    text, html = parts(rendered(sub=subscriber(agencies=("CBP", "FEMA"))))
    for part in (text, html):
        assert LINKS.preferences in part
        assert LINKS.unsubscribe in part
        assert "ana.ruiz@example.net subscribed to DHS Briefs" in part
        assert "agencies CBP, FEMA" in part


def test_cap_line_counts_the_rest_and_links_to_the_site() -> None:
    msg = rendered(briefs=BRIEFS[:1], more=4)
    text, html = parts(msg)
    assert msg["Subject"] == "DHS Briefs: 5 new releases, Dec 1"
    assert "4 more new releases did not fit in this message" in text
    assert "read them all on DHS Briefs</a>" in html and "https://briefs.example.org/" in html


def test_corrections_are_listed_in_both_parts() -> None:
    edited = make_brief("b-old", title="TSA Updates Holiday Travel Guidance")
    text, html = parts(rendered(corrections=(edited,)))
    for part in (text, html):
        assert "Updated since we sent them" in part
        assert "TSA Updates Holiday Travel Guidance" in part


def test_grouped_by_agency_puts_a_heading_over_each_group() -> None:
    ordered = tuple(sorted(BRIEFS, key=lambda b: b.agency))
    text, html = parts(rendered(briefs=ordered, head=letterhead(order="agency")))
    assert "== U.S. Customs and Border Protection ==" in text
    assert '<td class="group"' in html and "Federal Emergency Management Agency" in html


def test_no_header_injection_through_name_or_title() -> None:
    evil = make_brief(
        "b-evil", title="Harmless\r\nBcc: victim@example.com\r\nX-Evil: 1", agency="ICE"
    )
    sub = subscriber(name="Eve\r\nBcc: victim@example.com", cadence="immediate")
    msg = rendered(briefs=(evil,), sub=sub, cadence="immediate")
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert msg["Subject"] == "ICE: Harmless Bcc: victim@example.com X-Evil: 1"
    assert "\n" not in msg["To"] and msg["To"].addresses[0].addr_spec == "ana.ruiz@example.net"
    assert len(msg.get_all("Subject") or []) == 1


def test_subject_template_errors_name_the_key() -> None:
    from syndicate.errors import ConfigError

    with pytest.raises(ConfigError, match=r"digests\.subject"):
        rendered(head=letterhead(subject="{nope} briefs"))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a key")
def test_dkim_signature_covers_list_unsubscribe_and_verifies(tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    der = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
    head = letterhead(signer=Signer("briefs", "example.org", key.read_bytes()))
    sub = subscriber()
    owed = Owed(Digest("daily:2026-12-01", sub, "daily", BRIEFS, 0, NOW), ())
    data = digest.render(owed, bodies(BRIEFS), LINKS, head).data
    assert data.startswith(b"DKIM-Signature:")
    signed = message_from_bytes(data, policy=policy.default)["DKIM-Signature"]
    assert "list-unsubscribe" in signed.lower() and "list-unsubscribe-post" in signed.lower()

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record if name == b"briefs._domainkey.example.org." else b""

    assert dkim.verify(data, dnsfunc=dns)
    assert crlf_throughout(data)  # the signature header too: the transport sends it as is
    tampered = data.replace(b"7.TOKEN-U>", b"7.TOKEN-X>", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def crlf_throughout(data: bytes) -> bool:
    ends = data.count(b"\r\n")
    return data.count(b"\r") == ends == data.count(b"\n") and data.endswith(b"\r\n")


def test_messages_say_they_are_crlf_and_are_whatever_the_briefs_hold() -> None:
    # Line ends of every kind in a brief's text and title: the message still has CRLF
    # lines only, which is what `crlf=True` promises the SMTP transport (it skips its check).
    odd = make_brief(
        "b-odd",
        title="Lone\rcarriage and\nline feed",
        summary=("One\nline\r\nafter\ranother.", ".A line that starts with a dot."),
        published=NOW - timedelta(hours=1),
    )
    sub = subscriber(name="Ana\nRuiz")
    owed = Owed(Digest("daily:2026-12-01", sub, "daily", (odd, *BRIEFS), 0, NOW), ())
    messages = [
        digest.render(owed, bodies((odd, *BRIEFS)), LINKS, letterhead()),
        digest.confirmation(sub, "https://briefs.example.org/confirm/7.T", letterhead(), NOW),
    ]
    for message in messages:
        assert message.crlf and crlf_throughout(message.data)


def test_confirmation_message_carries_the_link() -> None:
    sub = subscriber(status="pending")
    url = "https://briefs.example.org/confirm/7.TOKEN-C"
    message = digest.confirmation(sub, url, letterhead(), NOW)
    parsed = message_from_bytes(message.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Confirm your subscription to DHS Briefs"
    assert parsed["To"] == "Ana Ruiz <ana.ruiz@example.net>"
    text, html = parts(parsed)
    assert url in text and f'href="{url}"' in html
    assert message.recipient == "ana.ruiz@example.net"
    assert message.sender == "briefs@example.org"


def test_non_ascii_and_quoted_names_and_subjects_survive() -> None:
    title = "FEMA Aids Recovery in San Germán, Puerto Rico"
    brief = make_brief("b-pr", title=title, agency="FEMA")
    sub = subscriber(name='José "Pepe" Núñez, Jr.', cadence="immediate")
    msg = rendered(briefs=(brief,), sub=sub, cadence="immediate")
    assert msg["Subject"] == f"FEMA: {title}"
    (address,) = msg["To"].addresses
    assert address.display_name == 'José "Pepe" Núñez, Jr.'
    assert address.addr_spec == "ana.ruiz@example.net"
    text, html = parts(msg)
    assert title in text and title in html


def test_a_rebuilt_message_is_byte_identical() -> None:
    sub = subscriber()
    owed = Owed(Digest("daily:2026-12-01", sub, "daily", BRIEFS, 0, NOW), ())
    first = digest.render(owed, bodies(BRIEFS), LINKS, letterhead()).data
    assert digest.render(owed, bodies(BRIEFS), LINKS, letterhead()).data == first
    assert b"\r\n" in first and b"\n" not in first.replace(b"\r\n", b"")
    assert max(len(line) for line in first.split(b"\r\n")) <= 998


def test_recipients_of_one_digest_each_get_their_own_links_and_address() -> None:
    composer = digest.Composer(letterhead())
    out = {}
    for ident, email in ((7, "ana@example.net"), (8, "o'brien&co@example.net")):
        sub = subscriber(id=ident, email=email)
        links = Links(
            f"https://briefs.example.org/unsubscribe/{ident}.U",
            f"https://briefs.example.org/preferences/{ident}.P",
            f"{ident}.U",
        )
        owed = Owed(Digest("daily:2026-12-01", sub, "daily", BRIEFS, 0, NOW), ())
        parsed = message_from_bytes(
            composer.render(owed, bodies(BRIEFS), links).data, policy=policy.default
        )
        assert isinstance(parsed, EmailMessage)
        out[ident] = parts(parsed)
    for ident, email in ((7, "ana@example.net"), (8, "o'brien&co@example.net")):
        text, html = out[ident]
        assert f"unsubscribe/{ident}.U" in text and f"unsubscribe/{ident}.U" in html
        assert f"preferences/{ident}.P" in text and f"preferences/{ident}.P" in html
        assert f"because {email} subscribed" in text
        assert f"because {escape(email)} subscribed" in html
    assert "7.U" not in out[8][0] + out[8][1]


def test_shared_encoding_matches_encoding_each_message_whole() -> None:
    """A body encoded once with slots, then filled, is byte for byte the whole body encoded
    with the values in: long lines wrap, trailing blanks, '=' and non-ASCII stay as they
    would, whichever line holds a slot."""
    from syndicate.digest import mime

    slots = ("SLOTa", "https://SLOTb.invalid/")
    text = (
        "Plain opening line\r\n"
        + "a long line of words " * 12
        + "SLOTa ends here\n"
        + "trailing blanks   \n"
        + "price = 5 € and ünïcode\n"
        + "\n"
        + '<a href="https://SLOTb.invalid/">unsubscribe</a> SLOTa\n'
        + "x" * 200
        + "\nlast line without a break SLOTa"
    )
    values = ("reader@example.net", "https://briefs.example.org/unsubscribe/abc.def")
    filled = text
    for slot, value in zip(slots, values, strict=True):
        filled = filled.replace(slot, value)
    assert mime.Template(text, slots).fill(values) == mime._qp(filled)
    assert "reader@example.net" in mime.Template(text, slots).fill(values)
