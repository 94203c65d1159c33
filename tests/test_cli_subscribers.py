"""`syndicate subscribers add` through main(argv): confirmation mail for a pending address,
one value per `--agency`, plain error wording, agencies added in config.toml."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from syndicate.cli import main

DOJ = '[[agencies]]\ncode = "DOJ"\nname = "U.S. Department of Justice"\nsite = "https://www.justice.gov"\n'


def _config(tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        '[service]\nname = "Test Briefs"\ndata_dir = "data"\n'
        'base_url = "https://briefs.example.org"\n' + extra,
        encoding="utf-8",
    )
    return str(path)


def _mail(tmp_path: Path) -> list[email.message.EmailMessage]:
    folder = tmp_path / "data" / "maildir" / "new"
    files = sorted(folder.iterdir()) if folder.exists() else []
    return [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for f in files
    ]


def _listed(cfg: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["--config", cfg, "subscribers", "list", "--json"]) == 0
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def test_add_without_confirmed_mails_a_confirmation_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    assert (
        main(["--config", cfg, "subscribers", "add", "ana@example.net", "--cadence", "weekly"]) == 0
    )
    out = capsys.readouterr().out
    assert "added ana@example.net (pending, weekly)" in out
    assert "sent ana@example.net a confirmation link (by maildir)" in out
    [message] = _mail(tmp_path)
    assert message["To"] == "ana@example.net"
    assert message["Subject"] == "Confirm your subscription to Test Briefs"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://briefs.example.org/confirm/" in text
    assert "a weekly email digest of new briefs" in text
    # Adding the same pending address again sends no second link.
    assert main(["--config", cfg, "subscribers", "add", "ana@example.net"]) == 0
    assert "confirmation" not in capsys.readouterr().out
    assert len(_mail(tmp_path)) == 1


def test_confirmation_names_the_immediate_cadence_rightly(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    assert (
        main(["--config", cfg, "subscribers", "add", "bo@example.net", "--cadence", "immediate"])
        == 0
    )
    [message] = _mail(tmp_path)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "each new brief, by email, as it is published" in text
    assert "immediate digests" not in text


def test_add_confirmed_sends_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config(tmp_path)
    assert main(["--config", cfg, "subscribers", "add", "cy@example.net", "--confirmed"]) == 0
    assert "(active, daily)" in capsys.readouterr().out
    assert _mail(tmp_path) == []


def test_agency_takes_one_value_so_the_address_is_not_swallowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    argv = ["--config", cfg, "subscribers", "add", "--agency", "CBP", "--agency", "ice,FEMA"]
    assert main([*argv, "--topic", "maritime", "dee@example.net", "--confirmed"]) == 0
    [row] = _listed(cfg, capsys)
    assert row["email"] == "dee@example.net"
    assert row["agencies"] == ["CBP", "FEMA", "ICE"] and row["topics"] == ["maritime"]


def test_errors_have_no_stage_prefix_or_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    assert main(["--config", cfg, "subscribers", "add", "zoë@@example.net"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: 'zoë@@example.net' is not an email address: ")
    assert "store:" not in err and "\\x" not in err
    assert main(["--config", cfg, "subscribers", "add", "a@example.net", "--agency", "NSA"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown agency 'NSA' (DHS, CBP,") and "subscribers:" not in err


def test_an_agency_added_in_config_can_be_chosen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path, DOJ)
    assert (
        main(
            [
                "--config",
                cfg,
                "subscribers",
                "add",
                "eve@example.net",
                "--agency",
                "doj",
                "--confirmed",
            ]
        )
        == 0
    )
    [row] = _listed(cfg, capsys)
    assert row["agencies"] == ["DOJ"]
