"""Start-up loads only what a command uses (issue 16): `syndicate --version` none of the
command modules, a poll with nothing new none of publishing, mail or migrations.

Each case runs in a fresh interpreter (a subprocess) and reads its `sys.modules` at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from syndicate import store as stores
from syndicate.store import revisions

# Not rich: httpx imports its own command line (httpx._main) and with it part of rich.
# sentencex stands for the brief stage (its only importer), loaded once a release is new.
HEAVY = ("alembic", "mako", "dkim", "css_inline", "feedgen", "sentencex")

PROBE = """
import json, sys
from syndicate.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as e:
    status = e.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r} or m in {heavy!r})
print(json.dumps({{"status": status, "loaded": loaded}}), file=sys.stderr)
"""


def _loaded(*argv: str) -> tuple[object, set[str]]:
    code = PROBE.format(heavy=set(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["status"], {m.split(".")[0] for m in report["loaded"]}


def test_version_loads_no_command_module() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom syndicate.cli import main\ntry:\n    main(['--version'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('syndicate.', 'sqlalchemy', "
            "'alembic', 'feedgen', 'httpx', 'rich', 'pydantic'))))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "syndicate 0.1.0" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "['syndicate.cli', 'syndicate.errors']"


def test_a_poll_with_nothing_due_loads_no_publish_mail_or_migration(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[service]\ndata_dir = "{tmp_path / "data"}"\n')
    # The first open creates the schema (alembic, in its own process); the poll's does not.
    stores.open(f"sqlite:///{tmp_path / 'data' / 'syndicate.db'}").close()
    status, loaded = _loaded("--config", str(cfg), "poll", "--json")
    assert status == 0
    assert loaded == set()


def test_the_full_parser_still_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "syndicate", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for name in ("init", "poll", "digest", "serve", "backup", "demo"):
        assert f"    {name}" in done.stdout


def test_cheap_heads_are_alembics_heads() -> None:
    script = ScriptDirectory.from_config(stores.migrate.config())
    assert revisions.heads() == frozenset(script.get_heads())
    assert revisions.heads()  # not vacuously equal


def test_an_older_store_is_still_migrated(tmp_path: Path) -> None:
    """A store whose recorded revision is not the newest is upgraded on open, as before."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    first = stores.open(url)
    with first.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'not-ours'")
    with first.read() as conn:
        assert not revisions.up_to_date(conn)
    first.close()
    with pytest.raises(Exception, match="not-ours"):  # alembic ran: it knows no such revision
        stores.open(url).close()


def test_no_password_hash_is_made_at_import() -> None:
    """The desk's stand-in hash (64 MiB and a third of a CPU second of argon2id) is made by
    the first login with an unknown name, not by every process that opens a store."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import syndicate.schedule, syndicate.store.desk as d\n"
            "print(d._dummy.cache_info().currsize)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "0", done.stderr
