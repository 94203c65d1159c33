"""Subscribers in the store (SQLite and PostgreSQL) and through `syndicate subscribers ...`."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from smtp_support import mail_config, put_briefs
from store_support import T0, make_brief

from syndicate.cli import main
from syndicate.errors import StoreError
from syndicate.pipeline import mail
from syndicate.store import Store
from syndicate.store.subscribers import BadAddress, normalise


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ana.Ruiz@Example.NET", "ana.ruiz@example.net"),
        ("  bo+dhs@mail.example.org \n", "bo+dhs@mail.example.org"),
        ("zoë@bücher.example", None),  # non-ASCII local part: refused
        ("chris@bücher.example", "chris@xn--bcher-kva.example"),
        ("o'neil@example.gov.", "o'neil@example.gov"),
    ],
)
def test_addresses_are_normalised(typed: str, stored: str | None) -> None:
    if stored is None:
        with pytest.raises(BadAddress):
            normalise(typed)
    else:
        assert normalise(typed) == stored


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "plainaddress",
        "two@@example.net",
        "a@b@example.net",
        "no-domain@",
        "@no-local.example",
        "dot..dot@example.net",
        "ana@localhost",
        "ana@-bad-.example",
        "ana@example.net\r\nBcc: victim@example.com",
        "ana@example.net\nX: y",
        "ana @example.net",
        "<ana@example.net>",
        "ana@example.net, bo@example.net",
        "a" * 65 + "@example.net",
    ],
)
def test_bad_addresses_are_refused(bad: str) -> None:
    with pytest.raises(BadAddress):
        normalise(bad)


def test_one_address_is_one_subscriber(store: Store) -> None:
    first, created = store.subscribers.upsert("Ana@Example.net", "daily", ["cbp"], name="Ana")
    again, created_again = store.subscribers.upsert(
        "ana@example.NET", "weekly", ["ice", "FEMA"], ["immigration"]
    )
    assert created and not created_again
    assert again.id == first.id
    assert (again.cadence, again.agencies, again.topics) == (
        "weekly",
        ("FEMA", "ICE"),
        ("immigration",),
    )
    assert again.name == "Ana"  # not given the second time: kept
    assert again.status == "pending"
    assert len(store.subscribers.all()) == 1


def test_names_lose_line_breaks(store: Store) -> None:
    found = store.subscribers.add("eve@example.net", name="Eve\r\nBcc: victim@example.com")
    assert found.name == "Eve Bcc: victim@example.com"


def test_status_changes_and_their_times(store: Store) -> None:
    found = store.subscribers.add("ana@example.net", now=T0)
    assert found.status == "pending" and found.confirmed is None
    active = store.subscribers.confirm(found.id, now=T0 + timedelta(hours=1))
    assert active.status == "active" and active.confirmed == T0 + timedelta(hours=1)
    gone = store.subscribers.unsubscribe(found.id, now=T0 + timedelta(days=2))
    assert gone.status == "unsubscribed" and gone.unsubscribed == T0 + timedelta(days=2)
    back = store.subscribers.resubscribe(found.id, "weekly", ["CISA"], [])
    assert back.status == "pending" and back.cadence == "weekly"
    assert store.subscribers.secret_of(found.id) == found.secret
    assert store.subscribers.secret_of(9999) is None
    with pytest.raises(StoreError):
        store.subscribers.update(found.id, "hourly")


def test_a_new_subscriber_is_not_mailed_the_archive(store: Store, tmp_path: Path) -> None:
    put_briefs(store, make_brief("old-1"), make_brief("old-2"))
    found = store.subscribers.add("ana@example.net")
    store.subscribers.confirm(found.id)
    config = mail_config(tmp_path, store.engine.url.render_as_string(hide_password=False))
    summary = mail.plan(store, config, now=T0 + timedelta(days=40), dry_run=True)
    assert summary.planned == []
    put_briefs(store, make_brief("new-1", published=T0 + timedelta(days=39)))
    summary = mail.plan(store, config, now=T0 + timedelta(days=40), dry_run=True)
    assert [(email, n) for _, email, n in summary.planned] == [("ana@example.net", 1)]


def test_remove_deletes_the_row_and_its_history(store: Store, tmp_path: Path) -> None:
    found = store.subscribers.add("ana@example.net", confirmed=True)
    put_briefs(store, make_brief("b-1", published=T0 + timedelta(days=1)))
    config = mail_config(tmp_path, store.engine.url.render_as_string(hide_password=False))
    mail.run(store, config, clock=lambda: T0 + timedelta(days=2))
    assert store.deliveries.for_subscriber(found.id)
    assert store.subscribers.remove("ANA@example.net")
    assert store.subscribers.get(found.id) is None
    assert store.deliveries.for_subscriber(found.id) == []
    assert not store.subscribers.remove("ana@example.net")


# The command line, on SQLite.


def _config_file(tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text('[service]\ndata_dir = "data"\n', encoding="utf-8")
    return str(path)


def test_cli_add_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config_file(tmp_path)
    assert (
        main(
            [
                "--config",
                cfg,
                "subscribers",
                "add",
                "Ana@Example.net",
                "--cadence",
                "weekly",
                "--agency",
                "CBP",
                "--agency",
                "ice,fema",
                "--topic",
                "immigration",
                "--name",
                "Ana Ruiz",
                "--confirmed",
            ]
        )
        == 0
    )
    assert "added ana@example.net (active, weekly)" in capsys.readouterr().out
    assert main(["--config", cfg, "subscribers", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["agencies"] == ["CBP", "FEMA", "ICE"] and row["topics"] == ["immigration"]
    assert main(["--config", cfg, "subscribers", "add", "ana@example.net"]) == 0
    assert "updated ana@example.net" in capsys.readouterr().out
    assert main(["--config", cfg, "subscribers", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["email"] == "ana@example.net" and row["cadence"] == "daily"
    assert row["status"] == "active" and row["name"] == "Ana Ruiz"
    assert row["agencies"] == [] and row["topics"] == []  # the second add set "all" again
    assert main(["--config", cfg, "subscribers", "list"]) == 0
    assert "ana@example.net" in capsys.readouterr().out
    assert main(["--config", cfg, "subscribers", "remove", "ana@example.net"]) == 0
    assert main(["--config", cfg, "subscribers", "remove", "ana@example.net"]) == 1
    assert "no subscriber" in capsys.readouterr().err
    assert main(["--config", cfg, "subscribers", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_refuses_unknown_agencies_topics_and_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_file(tmp_path)
    assert main(["--config", cfg, "subscribers", "add", "a@example.net", "--agency", "NSA"]) == 1
    assert "unknown agency 'NSA'" in capsys.readouterr().err
    assert main(["--config", cfg, "subscribers", "add", "a@example.net", "--topic", "cats"]) == 1
    assert "unknown topic 'cats'" in capsys.readouterr().err
    assert main(["--config", cfg, "subscribers", "add", "not-an-address"]) == 1
    assert "not an email address" in capsys.readouterr().err


def test_cli_import_reports_bad_rows_by_line_and_imports_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_file(tmp_path)
    main(["--config", cfg, "subscribers", "add", "kept@example.net", "--cadence", "weekly"])
    capsys.readouterr()
    csv_file = tmp_path / "list.csv"
    csv_file.write_text(
        "Email,Name,Cadence,Agencies,Topics\n"
        "ana@example.net,Ana Ruiz,daily,CBP ICE,\n"  # line 2
        "not an address,Bad,daily,,\n"  # line 3
        "KEPT@example.net,,immediate,,cybersecurity\n"  # line 4: an update
        "bo@example.net,Bo,hourly,,\n"  # line 5: bad cadence
        "cy@example.net,,weekly,NSA,\n"  # line 6: bad agency
        "dee@example.net,,,,\n",  # line 7: defaults
        encoding="utf-8",
    )
    assert main(["--config", cfg, "subscribers", "import", str(csv_file), "--confirmed"]) == 1
    out, err = capsys.readouterr()
    assert "2 added, 1 updated, 3 bad rows" in out
    assert re.findall(r"list\.csv: (line \d+): ", err) == [
        "line 3",
        "line 5",
        "line 6",
    ]
    main(["--config", cfg, "subscribers", "list", "--json"])
    rows = {r["email"]: r for r in json.loads(capsys.readouterr().out)}
    assert sorted(rows) == ["ana@example.net", "dee@example.net", "kept@example.net"]
    assert rows["ana@example.net"]["agencies"] == ["CBP", "ICE"]
    assert rows["ana@example.net"]["status"] == "active"
    assert rows["kept@example.net"]["cadence"] == "immediate"
    assert rows["kept@example.net"]["topics"] == ["cybersecurity"]


def test_cli_export_then_import_round_trips_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_file(tmp_path)
    main(
        [
            "--config",
            cfg,
            "subscribers",
            "add",
            "ana@example.net",
            "--confirmed",
            "--agency",
            "FEMA",
            "--name",
            "Ana, of Vermont",
        ]
    )
    main(["--config", cfg, "subscribers", "add", "bo@example.net"])
    capsys.readouterr()
    assert main(["--config", cfg, "subscribers", "export"]) == 0
    exported = capsys.readouterr().out
    assert exported.splitlines()[0] == "email,name,cadence,agencies,topics,status"
    assert '"Ana, of Vermont"' in exported
    other = tmp_path / "other"
    other.mkdir()
    cfg2 = _config_file(other)
    (other / "in.csv").write_text(exported, encoding="utf-8")
    assert main(["--config", cfg2, "subscribers", "import", str(other / "in.csv")]) == 0
    capsys.readouterr()
    main(["--config", cfg2, "subscribers", "list", "--json"])
    rows = {
        r["email"]: (r["status"], r["name"], r["agencies"])
        for r in json.loads(capsys.readouterr().out)
    }
    assert rows == {
        "ana@example.net": ("active", "Ana, of Vermont", ["FEMA"]),
        "bo@example.net": ("pending", None, []),
    }


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("plainaddress", "'plainaddress' is not an email address: an email address must have an"),
        ("dot..dot@example.net", "cannot have two periods in a row"),
        # SMTPUTF8 (RFC 6531) is not negotiated by the delivery stage: said, not escaped.
        ("zoë@bücher.example", "'zoë@bücher.example' is not an email address: internationalized"),
        ("ana@mail.example.invalid", "special-use or reserved name"),
        ("a" * 65 + "@example.net", "longer than 64 characters"),
    ],
)
def test_bad_addresses_are_explained_plainly(typed: str, says: str) -> None:
    with pytest.raises(BadAddress) as caught:
        normalise(typed)
    message = str(caught.value)
    assert says in message
    assert not message.startswith("store:") and "\\x" not in message and "\\u" not in message
