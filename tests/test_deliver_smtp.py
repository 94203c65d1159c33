"""Digests through the ledger to a real SMTP server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import mailbox
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from smtp_support import Received, Sink, mail_config, put_briefs
from store_support import T0, make_brief

from syndicate import tokens
from syndicate.config import Config
from syndicate.model import Message
from syndicate.pipeline import mail
from syndicate.store import Store

DAY1 = T0 + timedelta(days=1)  # 2026-11-03 14:30 UTC: after that day's 07:00 New York slot

HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
)


def url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def cfg(store: Store, smtp_sink: Sink, tmp_path: Path) -> Config:
    return mail_config(tmp_path, url(store), port=smtp_sink.port)


def at(when: datetime) -> mail.Clock:
    return lambda: when


CBP = make_brief(
    "cbp-1",
    title="CBP Officers Seize Cocaine at the Port of Miami",
    agency="CBP",
    source_name="U.S. Customs and Border Protection",
    topics=("drugs-and-trafficking",),
    published=T0 + timedelta(hours=2),
)
FEMA = make_brief(
    "fema-1",
    title="FEMA Opens Disaster Recovery Center in Asheville",
    agency="FEMA",
    source_name="Federal Emergency Management Agency",
    topics=("disaster-response",),
    published=T0 + timedelta(hours=4),
)


def titles_in(msg: Received) -> tuple[list[str], list[str]]:
    parsed = msg.parsed()
    text = str(parsed.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    html = str(parsed.get_body(("html",)).get_content())  # type: ignore[union-attr]
    known = [CBP.title, FEMA.title]
    return [t for t in known if t in text], [t for t in known if t in html]


def test_digests_arrive_parse_and_a_second_run_sends_nothing(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    subs = store.subscribers
    subs.add("ana@example.net", "daily", name="Ana Ruiz", confirmed=True)
    subs.add("bo@example.net", "daily", ["CBP"], confirmed=True)
    subs.add("cy@example.net", "daily", ["USCG"], confirmed=True)  # nothing matches
    subs.add("dee@example.net", "weekly", (), ["disaster-response"], confirmed=True)
    subs.add("eve@example.net", "daily")  # pending: never mailed
    put_briefs(store, CBP, FEMA)

    summary = mail.run(store, cfg, clock=at(DAY1))
    assert (summary.made, summary.sent, summary.retry, summary.failed) == (3, 3, 0, 0)
    got = smtp_sink.by_recipient()
    assert sorted(got) == ["ana@example.net", "bo@example.net", "dee@example.net"]
    for msgs in got.values():
        (msg,) = msgs
        parsed = msg.parsed()
        assert parsed.get_content_type() == "multipart/alternative"
        assert all(parsed[h] for h in HEADERS)
        text_titles, html_titles = titles_in(msg)
        assert text_titles == html_titles
        assert msg.sender == "briefs@example.org"
    assert titles_in(got["ana@example.net"][0])[0] == [CBP.title, FEMA.title]
    assert titles_in(got["bo@example.net"][0])[0] == [CBP.title]
    assert titles_in(got["dee@example.net"][0])[0] == [FEMA.title]
    assert got["ana@example.net"][0].parsed()["To"] == "Ana Ruiz <ana@example.net>"
    assert got["ana@example.net"][0].parsed()["Subject"] == "DHS Briefs: 2 new releases, Nov 3"

    again = mail.run(store, cfg, clock=at(DAY1 + timedelta(hours=3)))
    assert (again.made, again.sent) == (0, 0)
    assert len(smtp_sink.messages) == 3


def test_a_new_brief_after_the_slot_waits_for_the_next_slot(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    mail.run(store, cfg, clock=at(DAY1))
    put_briefs(store, FEMA)
    assert mail.run(store, cfg, clock=at(DAY1 + timedelta(hours=2))).made == 0
    assert mail.run(store, cfg, clock=at(DAY1 + timedelta(days=1))).sent == 1
    first, second = (m.parsed()["Subject"] for m in smtp_sink.messages)
    assert (first, second) == (
        "DHS Briefs: 1 new release, Nov 3",
        "DHS Briefs: 1 new release, Nov 4",
    )


def test_immediate_is_one_message_per_new_brief(store: Store, smtp_sink: Sink, cfg: Config) -> None:
    store.subscribers.add("ana@example.net", "immediate", confirmed=True)
    put_briefs(store, CBP, FEMA)
    assert mail.run(store, cfg, cadence="immediate", clock=at(T0 + timedelta(hours=5))).sent == 2
    subjects = [m.parsed()["Subject"] for m in smtp_sink.messages]
    assert sorted(subjects) == sorted([f"CBP: {CBP.title}", f"FEMA: {FEMA.title}"])
    assert len({m.parsed()["Message-ID"] for m in smtp_sink.messages}) == 2
    assert mail.run(store, cfg, cadence="immediate", clock=at(T0 + timedelta(hours=6))).sent == 0


def test_an_edited_brief_is_not_resent_and_a_material_edit_is_noted(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    mail.run(store, cfg, clock=at(DAY1))
    # A material edit (what a reader sees changed) and, the next day, a new brief.
    put_briefs(
        store,
        make_brief(
            CBP.id,
            title=CBP.title,
            agency="CBP",
            published=CBP.published,
            summary=("CBP officers seized 1,200 pounds of cocaine.",),
        ),
    )
    assert mail.run(store, cfg, clock=at(DAY1 + timedelta(days=1))).sent == 0  # edit alone
    put_briefs(store, FEMA)
    assert mail.run(store, cfg, clock=at(DAY1 + timedelta(days=2))).sent == 1
    _, second = smtp_sink.messages
    text = str(second.parsed().get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert FEMA.title in text
    assert "Updated since we sent them:" in text and CBP.title in text
    assert "1,200 pounds" not in text  # the edited brief itself is not sent again


def test_greylisting_then_success_is_delivered_once(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    ana = store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    smtp_sink.reply("421 4.7.0 Try again later", "451 4.7.1 Greylisted, come back soon")
    first = mail.run(store, cfg, clock=at(DAY1))
    assert (first.sent, first.retry) == (0, 1)
    assert mail.retry(store, cfg, clock=at(DAY1 + timedelta(seconds=30))).retry == 0  # not due
    second = mail.retry(store, cfg, clock=at(DAY1 + timedelta(seconds=61)))
    assert (second.sent, second.retry) == (0, 1)  # 451; the next wait doubles to 120 s
    assert mail.retry(store, cfg, clock=at(DAY1 + timedelta(seconds=150))).sent == 0
    third = mail.retry(store, cfg, clock=at(DAY1 + timedelta(seconds=182)))
    assert third.sent == 1
    assert len(smtp_sink.messages) == 1
    (row,) = store.deliveries.for_subscriber(ana.id)
    assert (row.status, row.attempts) == ("sent", 3)
    assert row.reply is not None and row.reply.startswith("2.0.0 Ok")


def test_temporary_failures_give_up_after_max_attempts(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    ana = store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    smtp_sink.reply(*["452 4.3.1 Insufficient system storage"] * 10)
    mail.run(store, cfg, clock=at(DAY1))
    for hours in range(1, 6):
        mail.retry(store, cfg, clock=at(DAY1 + timedelta(hours=hours)))
    (row,) = store.deliveries.for_subscriber(ana.id)
    assert (row.status, row.attempts) == ("failed", cfg.mail.max_attempts)
    assert "452" in (row.error or "")
    assert smtp_sink.messages == []


def test_550_is_not_retried_and_bounces_the_subscriber(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    ana = store.subscribers.add("ana@example.net", "daily", confirmed=True)
    store.subscribers.add("bo@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    # Ana's and Bo's digests are sent concurrently: the refusal is scripted for Ana alone.
    smtp_sink.reply_to("ana@example.net", "550 5.1.1 <ana@example.net>: Recipient address rejected")
    first = mail.run(store, cfg, clock=at(DAY1))
    assert (first.sent, first.failed, first.bounced) == (1, 1, 0)
    assert mail.retry(store, cfg, clock=at(DAY1 + timedelta(days=1, hours=-1))).sent == 0
    assert [r.status for r in store.deliveries.for_subscriber(ana.id)] == ["failed"]
    assert store.subscribers.get(ana.id).status == "active"  # type: ignore[union-attr]
    # A second permanent failure reaches bounce_after (2): no more mail for ana.
    put_briefs(store, FEMA)
    smtp_sink.reply_to("ana@example.net", "550 5.1.1 <ana@example.net>: Recipient address rejected")
    second = mail.run(store, cfg, clock=at(DAY1 + timedelta(days=1)))
    assert (second.sent, second.failed, second.bounced) == (1, 1, 1)
    assert store.subscribers.get(ana.id).status == "bounced"  # type: ignore[union-attr]
    put_briefs(store, make_brief("ice-1", agency="ICE", published=T0 + timedelta(days=2)))
    third = mail.run(store, cfg, clock=at(DAY1 + timedelta(days=2)))
    assert third.sent == 1
    assert [m.recipients for m in smtp_sink.messages] == [("bo@example.net",)] * 3


def test_relay_down_queues_and_sends_when_it_comes_back(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    ids = [
        store.subscribers.add(f"reader{i}@example.net", "daily", confirmed=True).id
        for i in range(5)
    ]
    put_briefs(store, CBP)
    smtp_sink.stop()
    down = mail.run(store, cfg, clock=at(DAY1))
    assert down.sent == 0 and down.made == 5
    statuses = sorted(r.status for i in ids for r in store.deliveries.for_subscriber(i))
    assert set(statuses) <= {"pending", "retry"} and len(statuses) == 5
    smtp_sink.start()
    back = mail.retry(store, cfg, clock=at(DAY1 + timedelta(minutes=5)))
    assert back.sent == 5
    assert sorted(smtp_sink.by_recipient()) == [f"reader{i}@example.net" for i in range(5)]
    assert all(len(v) == 1 for v in smtp_sink.by_recipient().values())


def test_the_pool_reuses_connections(store: Store, smtp_sink: Sink, cfg: Config) -> None:
    for i in range(12):
        store.subscribers.add(f"reader{i}@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    assert mail.run(store, cfg, clock=at(DAY1)).sent == 12
    peers = {m.peer for m in smtp_sink.messages}
    assert 1 <= len(peers) <= cfg.mail.smtp.pool_size


def test_an_unsubscribe_before_sending_stops_the_message(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    ana = store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    mail.plan(store, cfg, now=DAY1)
    store.subscribers.unsubscribe(ana.id)
    assert mail.retry(store, cfg, clock=at(DAY1)).sent == 0
    assert smtp_sink.messages == []
    assert [r.status for r in store.deliveries.for_subscriber(ana.id)] == ["failed"]


def test_claims_by_several_workers_never_overlap(store: Store, cfg: Config) -> None:
    for i in range(40):
        store.subscribers.add(f"reader{i}@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    mail.plan(store, cfg, now=DAY1)
    taken: dict[str, list[int]] = {}

    def work(name: str) -> None:
        mine = taken.setdefault(name, [])
        while rows := store.deliveries.claim(name, DAY1, limit=3, lease=600):
            mine += [r.id for r in rows]

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in taken.values() for i in ids]
    assert len(every) == len(set(every)) == 40


def test_a_claim_takes_the_oldest_due_rows_of_every_kind_up_to_its_limit(
    store: Store, cfg: Config
) -> None:
    subs = [
        store.subscribers.add(f"reader{i}@example.net", "daily", confirmed=True) for i in range(8)
    ]
    put_briefs(store, CBP)
    mail.plan(store, cfg, now=DAY1)
    rows = sorted(store.deliveries.page(0, 100), key=lambda r: r.id)
    assert len(rows) == 8
    ids = [r.id for r in rows]
    # ids[0]: a dead worker's claim (lease over); ids[1]: a retry that is due; ids[2]: a
    # retry that is not due yet; ids[3]: its subscriber left; the rest are new.
    (dead,) = store.deliveries.claim("dead-worker", DAY1, limit=1, lease=600)
    assert dead.id == ids[0]
    later = DAY1 + timedelta(seconds=700)
    for i, at_ in ((1, later), (2, later + timedelta(hours=1))):
        (got,) = store.deliveries.claim("w0", DAY1, limit=1, lease=600)
        assert got.id == ids[i]
        store.deliveries.retry(got.id, "w0", "451 later", at_, max_attempts=5)
    store.subscribers.unsubscribe(subs[3].id)
    first = store.deliveries.claim("w1", later, limit=3, lease=600)
    assert [r.id for r in first] == [ids[0], ids[1], ids[4]]
    second = store.deliveries.claim("w1", later, limit=10, lease=600)
    assert [r.id for r in second] == ids[5:]
    assert store.deliveries.claim("w1", later, limit=10, lease=600) == []


def test_messages_accepted_before_a_batch_breaks_are_marked_sent(store: Store, cfg: Config) -> None:
    # Sent rows are marked when their batch is done; a bug that breaks the batch half way
    # must not leave what the relay took looking unsent (it would go out again).
    for i in range(6):
        store.subscribers.add(f"reader{i}@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    mail.plan(store, cfg, now=DAY1)

    class Breaks:
        def __init__(self) -> None:
            self.taken: list[str] = []

        async def send(self, message: Message) -> str:
            if len(self.taken) == 4:
                raise RuntimeError("a bug in the transport")
            self.taken.append(message.recipient)
            return "250 2.0.0 Ok"

        async def close(self) -> None:
            pass

    transport = Breaks()
    with pytest.raises(RuntimeError, match="a bug in the transport"):
        mail.retry(store, cfg, transport=transport, clock=at(DAY1))
    sent = {r.id for r in store.deliveries.page(0, 100) if r.status == "sent"}
    assert len(sent) == len(transport.taken) == 4


def test_a_dead_workers_claim_is_resent_after_its_lease(
    store: Store, smtp_sink: Sink, cfg: Config
) -> None:
    store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP)
    mail.plan(store, cfg, now=DAY1)
    (row,) = store.deliveries.claim("dead-worker", DAY1, limit=10, lease=600)
    lease = cfg.mail.claim_lease
    assert mail.retry(store, cfg, clock=at(DAY1 + timedelta(seconds=lease - 1))).sent == 0
    assert mail.retry(store, cfg, clock=at(DAY1 + timedelta(seconds=lease + 1))).sent == 1
    # The dead worker's late report changes nothing.
    assert not store.deliveries.sent(row.id, "dead-worker", "250 late", DAY1)
    (msg,) = smtp_sink.messages
    assert msg.parsed()["Message-ID"] == row.message_id


def test_maildir_is_the_default_transport(store: Store, tmp_path: Path) -> None:
    cfg = mail_config(tmp_path, url(store))
    store.subscribers.add("ana@example.net", "daily", confirmed=True)
    put_briefs(store, CBP, FEMA)
    assert mail.run(store, cfg, clock=at(DAY1)).sent == 1
    box = mailbox.Maildir(tmp_path / "data" / "maildir", create=False)
    (data,) = [bytes(m) for m in box]
    parsed = message_from_bytes(data, policy=policy.default)
    assert parsed["To"] == "ana@example.net"
    assert parsed.get_content_type() == "multipart/alternative"


def test_send_confirmation_goes_out_at_once(store: Store, smtp_sink: Sink, cfg: Config) -> None:
    pending = store.subscribers.add("new@example.net", "weekly", name="New Reader")
    reply = mail.send_confirmation(store, cfg, None, pending, now=T0)
    assert reply.startswith("2.0.0")
    (msg,) = smtp_sink.messages
    assert msg.parsed()["Date"].datetime == T0
    text = str(msg.parsed().get_body(("plain",)).get_content())  # type: ignore[union-attr]
    found = re.search(r"https://briefs\.example\.org/confirm/(\S+)", text)
    assert found and found.group(1).startswith(f"{pending.id}.")
    # The link is issued at the clock's time, whatever today's date: it works within the
    # confirmation window counted from T0 and not after it.
    key = tokens.load_secret(cfg.web.secret_env, cfg.data_dir)
    secret_of = store.subscribers.secret_of
    token = found.group(1)
    assert tokens.verify(key, token, "confirm", secret_of, now=T0 + timedelta(days=6)) == pending.id
    late = T0 + timedelta(days=tokens.CONFIRM_DAYS + 2)
    assert tokens.verify(key, token, "confirm", secret_of, now=late) is None


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNDICATE_SECRET", "test-secret-for-links")
    yield
