"""Scale-out: the delivery ledger drained by two `syndicate worker` processes against one.

    .venv/bin/python bench/workers.py [--subscribers 4000] [--briefs 10] [--pool 2]
                                      [--database postgresql://postgres@127.0.0.1/postgres]

A PostgreSQL store is seeded with `--subscribers` daily subscribers and `--briefs` briefs
(the digest benchmark's seed), the digests are planned into the ledger, and then
`syndicate worker --kind mail --once` drains it to a local SMTP sink (Postfix's `smtp-sink`
when installed, else aiosmtpd): first one worker process, then, on a freshly seeded store,
two at once. Workers claim rows with `FOR UPDATE SKIP LOCKED`. Printed: messages per second
for each and the ratio two/one. On this machine's two cores the sink and PostgreSQL share
the CPU with the workers, so the ratio is a floor for separate machines.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from syndicate import config as configs  # noqa: E402
from syndicate import store as stores  # noqa: E402
from syndicate.pipeline import mail  # noqa: E402

_spec = importlib.util.spec_from_file_location("digest_bench", ROOT / "bench" / "digest.py")
assert _spec is not None and _spec.loader is not None
seeds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seeds)

NAME = "syn_bench_workers"


def _fresh(admin: str) -> str:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {NAME}"))
    engine.dispose()
    url = sa.make_url(admin).set(database=NAME)
    return url.render_as_string(hide_password=False)


def _prepare(admin: str, tmp: Path, port: int, args: argparse.Namespace) -> Path:
    url = _fresh(admin).replace("postgresql://", "postgresql+psycopg://", 1)
    path = tmp / "config.toml"
    path.write_text(
        f"""
[service]
data_dir = "{tmp}"
base_url = "https://briefs.example.org"
[database]
url = "{url}"
[digests]
max_briefs = {args.briefs}
[mail]
from = "DHS Briefs <briefs@example.org>"
transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = {port}
pool_size = {args.pool}
rate = 1000000.0
""",
        encoding="utf-8",
    )
    config = configs.load(path)
    store = stores.open(config.database_url)
    try:
        seeds._seed(store, args.subscribers, args.briefs)
        planned = mail.plan(store, config, now=seeds.NOW).made
    finally:
        store.close()
    assert planned == args.subscribers, planned
    return path


def _drain(path: Path, workers: int) -> tuple[float, list[str]]:
    argv = [sys.executable, "-m", "syndicate", "--config", str(path), "worker"]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen([*argv, "--kind", "mail", "--once"], stdout=subprocess.PIPE, text=True)
        for _ in range(workers)
    ]
    outs = [p.communicate()[0].strip() for p in procs]
    took = time.perf_counter() - t0
    if any(p.returncode for p in procs):
        raise SystemExit(f"a worker failed: {outs}")
    return took, outs


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subscribers", type=int, default=4000)
    p.add_argument("--briefs", type=int, default=10)
    p.add_argument("--pool", type=int, default=2)
    p.add_argument("--database", default="postgresql://postgres@127.0.0.1/postgres")
    args = p.parse_args()
    os.environ.setdefault("SYNDICATE_SECRET", "bench-secret")
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp, seeds._Sink("smtp-sink") as sink:
        for workers in (1, 2):
            path = _prepare(args.database, Path(tmp), sink.port, args)
            took, outs = _drain(path, workers)
            rates[workers] = args.subscribers / took
            print(f"{workers} worker(s): {args.subscribers} messages in {took:.1f} s = "
                  f"{rates[workers]:.0f} msg/s ({'; '.join(outs)})")  # fmt: skip
    print(f"two workers / one: {rates[2] / rates[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
