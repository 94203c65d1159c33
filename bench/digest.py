"""Digest delivery throughput: the whole mail pipeline against a bare smtplib loop.

    .venv/bin/python bench/digest.py [--subscribers 10000] [--briefs 20] [--pool 4]
                                     [--sink smtp-sink|aiosmtpd] [--baseline-sample 2000]

A daily digest of `--briefs` briefs goes to `--subscribers` active subscribers (one in five
with an agency filter, so several distinct digests are rendered) through SMTP to a local
sink: Postfix's `smtp-sink` when installed, else aiosmtpd in a thread. Measured: `mail.run`
end to end (plan the digests, record the ledger, claim, render, send over the connection
pool, mark each row sent) in messages per second. The baseline, in the same script and to
the same sink, is a bare `smtplib` loop sending already-rendered messages over one
connection (a sample of the same messages, pre-rendered outside the timing). The figure to
read is the ratio; the CPU seconds are this process's (user + system, all threads) during
the run, per 10,000 messages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from syndicate import config as configs  # noqa: E402
from syndicate import store as stores  # noqa: E402
from syndicate.model import (  # noqa: E402
    AGENCIES,
    Attribution,
    Brief,
    Provenance,
    Quote,
    Section,
    SourceRef,
)
from syndicate.pipeline import mail  # noqa: E402
from syndicate.store import schema  # noqa: E402

NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 08:00 in New York: the daily slot is due


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _brief(n: int) -> Brief:
    agency = AGENCIES[n % len(AGENCIES)]
    when = NOW - timedelta(hours=n + 1)
    return Brief(
        id=f"bench-{n}",
        title=f"{agency} Announces Measure {n} on Port Operations and Public Safety",
        agency=agency,
        source_name=f"{agency} press office",
        url=f"https://www.example.gov/news/2026/11/30/measure-{n}",
        published=when,
        updated=when,
        summary=(
            f"{agency} announced measure {n}, which changes how ports of entry process cargo.",
            f"The change takes effect on Jan. {n % 28 + 1}, 2027 and covers 41 locations.",
        ),
        sections=(
            Section(
                "What Changes",
                tuple(
                    f"Paragraph {k} of measure {n}: inspections move to a scheduled model "
                    f"with {k * 12} additional officers assigned across the region."
                    for k in range(3)
                ),
            ),
            Section(
                "Who Is Affected",
                (),
                tuple(
                    f"Group {k}: carriers filing {k + 2} or more entries a week" for k in range(4)
                ),
            ),
            Section(
                "What Comes Next",
                (
                    f"A public comment period on measure {n} opens in "
                    "December and runs for 30 days.",
                ),
            ),
        ),
        quotes=(Quote(f"Measure {n} keeps trade moving while we keep watch.", "the Commissioner"),),
        links=(),
        topics=("trade-and-travel",),
        sources=(SourceRef(f"{agency} press office", f"https://www.example.gov/news/measure-{n}"),),
        attribution=Attribution(prepared_by="Prepared by the syndicate benchmark desk."),
        provenance=Provenance(when, "00" * 32, "bench/1"),
    )


def _seed(store: stores.Store, subscribers: int, briefs: int) -> None:
    rows = [
        {
            "email": f"reader{i:05d}@example.net",
            "name": f"Reader {i}",
            "status": "active",
            "cadence": "daily",
            "agencies": f'["{AGENCIES[i % len(AGENCIES)]}"]' if i % 5 == 0 else "[]",
            "topics": "[]",
            "secret": f"secret-{i}",
            "created_at": NOW - timedelta(days=10),
            "confirmed_at": NOW - timedelta(days=10),
            "last_digest_seq": 0,
            "bounces": 0,
        }
        for i in range(subscribers)
    ]
    with store.begin() as conn:
        conn.execute(sa.insert(schema.subscribers), rows)
        for n in range(briefs):
            store.briefs.upsert(conn, _brief(n), story=f"bench-{n}")


class _Sink:
    def __init__(self, kind: str) -> None:
        self.port = _port()
        self.kind = kind
        self._proc: subprocess.Popen[bytes] | None = None
        self._controller: object = None

    def __enter__(self) -> _Sink:
        if self.kind == "smtp-sink":
            self._proc = subprocess.Popen(
                ["/usr/sbin/smtp-sink", "-u", "nobody", "-c", f"127.0.0.1:{self.port}", "1000"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        else:
            from aiosmtpd.controller import Controller

            class Accept:
                async def handle_DATA(self, server: object, session: object, env: object) -> str:
                    return "250 2.0.0 Ok"

            controller = Controller(Accept(), hostname="127.0.0.1", port=self.port)
            controller.start()
            self._controller = controller
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
        if self._controller is not None:
            self._controller.stop()  # type: ignore[attr-defined]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--briefs", type=int, default=20)
    p.add_argument("--pool", type=int, default=4, help="SMTP connections (mail.smtp.pool_size)")
    default_sink = (
        "smtp-sink"
        if shutil.which("smtp-sink") or Path("/usr/sbin/smtp-sink").exists()
        else "aiosmtpd"
    )
    p.add_argument("--sink", choices=("smtp-sink", "aiosmtpd"), default=default_sink)
    p.add_argument("--baseline-sample", type=int, default=2000)
    args = p.parse_args()

    os.environ.setdefault("SYNDICATE_SECRET", "bench-secret")
    tmp = Path(tempfile.mkdtemp(prefix="syn-bench-digest-"))
    with _Sink(args.sink) as sink:
        config = configs.parse(
            f"""
[service]
data_dir = "{tmp}"
base_url = "https://briefs.example.org"
[digests]
max_briefs = {args.briefs}
[mail]
from = "DHS Briefs <briefs@example.org>"
transport = "smtp"
unsubscribe_mailto = "unsubscribe@example.org"
[mail.smtp]
host = "127.0.0.1"
port = {sink.port}
pool_size = {args.pool}
rate = 1000000.0
timeout = 30.0
""",
            tmp,
        )
        store = stores.open(config.database_url)
        try:
            _seed(store, args.subscribers, args.briefs)
            t0, c0 = time.perf_counter(), time.process_time()
            summary = mail.plan(store, config, now=NOW)
            planned = time.perf_counter() - t0
            mail.retry(store, config, clock=lambda: NOW, summary=summary)
            ours = time.perf_counter() - t0
            ours_cpu = time.process_time() - c0
            if summary.sent != args.subscribers:
                print(f"warning: sent {summary.sent} of {args.subscribers}: {summary}")

            # The baseline's messages: the same ledger rows, rendered outside the timing.
            renderer = mail.Renderer(store, config)
            sample = [renderer.row(r) for r in store.deliveries.page(0, args.baseline_sample)]
            size = sum(len(m.data) for m in sample) / max(len(sample), 1)
        finally:
            store.close()

        t0 = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as smtp:
            for m in sample:
                smtp.sendmail(m.sender, [m.recipient], m.data)
        bare = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)

    ours_rate = summary.sent / ours
    bare_rate = len(sample) / bare
    print(
        f"sink: {args.sink}; {args.subscribers} subscribers, {args.briefs} briefs a digest, "
        f"pool {args.pool}; messages of {size / 1024:.0f} KiB on average"
    )
    print(
        "syndicate mail.plan + mail.retry (plan, ledger, claim, render, send, mark): "
        f"{summary.sent} messages in {ours:.1f} s = {ours_rate:.0f} msg/s "
        f"(of which planning and recording {planned:.1f} s); "
        f"{ours_cpu:.1f} CPU-s = {ours_cpu * 10_000 / max(summary.sent, 1):.1f} CPU-s per 10,000"
    )
    print(
        f"bare smtplib loop, one connection, pre-rendered: {len(sample)} messages in "
        f"{bare:.1f} s = {bare_rate:.0f} msg/s"
    )
    print(f"ratio syndicate / bare smtplib: {ours_rate / bare_rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
