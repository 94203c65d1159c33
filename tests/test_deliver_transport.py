"""The SMTP transport on its own: authentication, the rate limit, reply mapping."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from smtp_support import Sink, free_port

from syndicate import deliver
from syndicate.config import MailConfig
from syndicate.errors import ConfigError, PermanentFailure, TemporaryFailure
from syndicate.model import Message


def message(n: int = 0) -> Message:
    data = (
        f"From: briefs@example.org\r\nTo: r{n}@example.net\r\nSubject: t{n}\r\n"
        f"Message-ID: <m{n}@example.org>\r\n\r\nbody {n}\r\n"
    ).encode()
    return Message(f"<m{n}@example.org>", "briefs@example.org", f"r{n}@example.net", data)


def smtp(port: int, **settings: Any) -> deliver.Transport:
    mail = MailConfig.model_validate(
        {"transport": "smtp", "smtp": {"host": "127.0.0.1", "port": port, **settings}}
    )
    return deliver.transport(mail, Path("."))


async def send_all(transport: deliver.Transport, messages: list[Message]) -> list[str]:
    try:
        return list(await asyncio.gather(*(transport.send(m) for m in messages)))
    finally:
        await transport.close()


# Plain-text AUTH on 127.0.0.1 is what this test wants; aiosmtpd warns about it.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_auth_uses_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret-from-env")

    sink = Sink()
    controller = Controller(
        sink.handler,
        hostname="127.0.0.1",
        port=sink.port,
        authenticator=check,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        monkeypatch.setenv("SYN_SMTP_PASSWORD", "s3cret-from-env")
        transport = smtp(sink.port, username="briefs", password_env="SYN_SMTP_PASSWORD")
        asyncio.run(send_all(transport, [message()]))
        assert seen == [(b"briefs", b"s3cret-from-env")]
        assert len(sink.messages) == 1
    finally:
        controller.stop()


def test_a_missing_password_variable_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYN_SMTP_UNSET", raising=False)
    with pytest.raises(ConfigError, match="SYN_SMTP_UNSET"):
        smtp(25, username="briefs", password_env="SYN_SMTP_UNSET")


def test_the_rate_limit_spaces_messages(smtp_sink: Sink) -> None:
    transport = smtp(smtp_sink.port, rate=10.0, pool_size=3)
    start = time.monotonic()
    asyncio.run(send_all(transport, [message(i) for i in range(6)]))
    # Six starts at 10 per second cannot all happen in less than half a second.
    assert time.monotonic() - start >= 0.5
    assert len(smtp_sink.messages) == 6


def test_replies_map_to_temporary_and_permanent(smtp_sink: Sink) -> None:
    smtp_sink.reply("451 4.3.0 Mailbox busy", "554 5.7.1 Rejected as spam")
    transport = smtp(smtp_sink.port, pool_size=1)

    async def go() -> list[BaseException | str]:
        try:
            return [
                await asyncio.gather(transport.send(message(1)), return_exceptions=True),
                await asyncio.gather(transport.send(message(2)), return_exceptions=True),
                await asyncio.gather(transport.send(message(3)), return_exceptions=True),
            ]
        finally:
            await transport.close()

    (first,), (second,), (third,) = asyncio.run(go())  # type: ignore[misc]
    assert isinstance(first, TemporaryFailure) and first.code == 451
    assert str(first) == f"deliver: smtp 127.0.0.1:{smtp_sink.port} replied 451 4.3.0 Mailbox busy"
    assert isinstance(second, PermanentFailure) and second.code == 554
    assert isinstance(third, str) and third.startswith("2.0.0")


def test_nothing_listening_is_a_temporary_failure() -> None:
    transport = smtp(free_port(), timeout=2.0)
    with pytest.raises(TemporaryFailure, match=r"deliver: smtp 127\.0\.0\.1"):
        asyncio.run(send_all(transport, [message()]))


def test_one_transport_serves_several_threads_each_with_its_own_loop(smtp_sink: Sink) -> None:
    # The web side sends confirmations from worker threads, each in its own asyncio.run.
    transport = smtp(smtp_sink.port, pool_size=1)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for k in range(3):
                asyncio.run(send_all(transport, [message(n * 10 + k)]))
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(smtp_sink.messages) == 12


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test trusts it as its own CA)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test certificate")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls(tmp_path: Path, security: str) -> None:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = Sink()
    if security == "starttls":
        controller = Controller(
            sink.handler,
            hostname="127.0.0.1",
            port=sink.port,
            tls_context=context,
            require_starttls=True,
        )
    else:
        controller = Controller(
            sink.handler, hostname="127.0.0.1", port=sink.port, ssl_context=context
        )
    controller.start()
    try:
        transport = smtp(sink.port, security=security, ca_file=str(cert))
        asyncio.run(send_all(transport, [message()]))
        assert len(sink.messages) == 1
        # Without trusting the certificate, nothing is sent.
        untrusting = smtp(sink.port, security=security, timeout=5.0)
        with pytest.raises(TemporaryFailure):
            asyncio.run(send_all(untrusting, [message(2)]))
        assert len(sink.messages) == 1
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\r\nb\r\n", b"a\r\nb\r\n.\r\n"),
        (b"a\r\nb", b"a\r\nb\r\n.\r\n"),  # the last line ended for the terminator
        (b".a\r\n.\r\nb.\r\n", b"..a\r\n..\r\nb.\r\n.\r\n"),  # dots start lines: doubled
        (b"a\nb\rc\r\n.d", b"a\r\nb\r\nc\r\n..d\r\n.\r\n"),  # lone LF and CR made CRLF first
        (b"a\n.b\n", b"a\r\n..b\r\n.\r\n"),
    ],
)
def test_the_data_payload_is_crlf_dot_stuffed_and_terminated(data: bytes, expected: bytes) -> None:
    assert deliver.smtp.wire(data) == expected


def test_lines_starting_with_a_dot_arrive_as_written(smtp_sink: Sink) -> None:
    # The relay removes the stuffing (RFC 5321 section 4.5.2): what it keeps is our bytes.
    body = b".hidden start\r\n..two dots\r\n.\r\nplain\r\n"
    sent = Message(
        "<d@example.org>", "briefs@example.org", "r@example.net", b"Subject: d\r\n\r\n" + body
    )
    asyncio.run(send_all(smtp(smtp_sink.port), [sent]))
    (got,) = smtp_sink.messages
    assert got.data.endswith(body)
    assert got.recipients == ("r@example.net",)


def test_a_relay_that_announces_size_refuses_an_oversized_message_before_its_data() -> None:
    # aiosmtpd announces SIZE and answers a MAIL whose SIZE parameter exceeds its limit
    # with this 552; without the parameter it would take the data and refuse it after.
    accepted: list[bytes] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            accepted.append(envelope.content)
            return "250 OK"

    size = len(deliver.smtp.wire(message(7).data)) - 3
    small = Controller(Keep(), hostname="127.0.0.1", port=free_port(), data_size_limit=size - 1)
    exact = Controller(Keep(), hostname="127.0.0.1", port=free_port(), data_size_limit=size)
    small.start()
    exact.start()
    try:
        with pytest.raises(PermanentFailure, match="exceeds fixed maximum message size"):
            asyncio.run(send_all(smtp(small.port), [message(7)]))
        asyncio.run(send_all(smtp(exact.port), [message(7)]))
    finally:
        small.stop()
        exact.stop()
    assert len(accepted) == 1


def test_refusals_of_the_sender_or_the_recipient_map_to_the_error_tree() -> None:
    class Picky:
        async def handle_MAIL(
            self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
        ) -> str:
            if address.startswith("busy"):
                return "451 4.3.2 Try the sender later"
            envelope.mail_from = address
            return "250 OK"

        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
        ) -> str:
            if address.startswith("nobody"):
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    controller = Controller(Picky(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        busy = Message(
            "<b@example.org>", "busy@example.org", "r@example.net", b"Subject: b\r\n\r\nx"
        )
        with pytest.raises(TemporaryFailure, match=r"replied 451 4\.3\.2 Try the sender later"):
            asyncio.run(send_all(smtp(controller.port), [busy]))
        gone = Message("<g@example.org>", "briefs@example.org", "nobody@example.net", b"x\r\n")
        with pytest.raises(PermanentFailure, match=r"replied 550 5\.1\.1 No such mailbox") as e:
            asyncio.run(send_all(smtp(controller.port), [gone]))
        assert e.value.code == 550
    finally:
        controller.stop()


def test_a_refused_message_leaves_its_connection_for_the_next() -> None:
    # A refusal at MAIL, RCPT or DATA ends that transaction, not the session: the client
    # resets and sends the next message on the same connection.
    sessions: set[int] = set()
    accepted: list[str] = []

    class Choosy:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
        ) -> str:
            sessions.add(id(session))
            if address.startswith("nobody"):
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if b"refuse me" in envelope.content:
                return "554 5.6.0 Content refused"
            accepted.extend(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Choosy(), hostname="127.0.0.1", port=free_port())
    controller.start()
    gone = Message("<g@example.org>", "briefs@example.org", "nobody@example.net", b"x\r\n")
    spam = Message("<s@example.org>", "briefs@example.org", "s@example.net", b"refuse me\r\n")

    async def one_by_one(transport: deliver.Transport) -> list[str]:
        errors = []
        try:
            for m in (gone, spam, message(1)):
                try:
                    await transport.send(m)
                except PermanentFailure as e:
                    errors.append(str(e))
        finally:
            await transport.close()
        return errors

    try:
        errors = asyncio.run(one_by_one(smtp(controller.port, pool_size=1)))
    finally:
        controller.stop()
    assert [e.split(" replied ")[1][:3] for e in errors] == ["550", "554"]
    assert accepted == ["r1@example.net"]
    assert len(sessions) == 1


def test_an_address_that_needs_quoting_goes_through_quoted(smtp_sink: Sink) -> None:
    # Not a plain dot-atom: aiosmtplib quotes it; the relay sees the same mailbox.
    quoted = '"ana ruiz"@example.net'
    sent = Message("<q@example.org>", "briefs@example.org", quoted, b"Subject: q\r\n\r\nhi\r\n")
    asyncio.run(send_all(smtp(smtp_sink.port), [sent, message(3)]))
    assert sorted(r for m in smtp_sink.messages for r in m.recipients) == [quoted, "r3@example.net"]
