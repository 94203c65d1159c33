"""Decoding: the declared charset when it is right, the bytes (UTF-8, then charset-normalizer's
detection) when it is missing or wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.text import decode, detect

ENGLISH = "The naïve café owner said “we will reopen” on Monday — déjà vu for the town."
RUSSIAN = "Пограничная служба сообщила, что новые правила вступят в силу в понедельник утром."


def test_declared_charset_is_used_when_right() -> None:
    text, used = decode(ENGLISH.encode("utf-8"), "text/html; charset=utf-8")
    assert (text, used) == (ENGLISH, "utf-8")


def test_latin_1_label_is_read_as_windows_1252() -> None:
    # Curly quotes are 0x93/0x94 in Windows-1252 and C1 controls in ISO-8859-1: browsers
    # read the label as Windows-1252, and so do we (the quotes were dropped before).
    body = ENGLISH.encode("cp1252")
    text, used = decode(body, "text/html; charset=ISO-8859-1")
    assert (text, used) == (ENGLISH, "cp1252")


def test_mislabelled_utf8_is_read_as_utf8() -> None:
    text, used = decode(ENGLISH.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert (text, used) == (ENGLISH, "utf-8")


def test_undeclared_windows_1252_is_detected() -> None:
    # charset-normalizer alone ranks cp1250 first here (ï would become ď).
    text, used = decode(ENGLISH.encode("cp1252"))
    assert (text, used) == (ENGLISH, "cp1252")


def test_undeclared_cyrillic_is_detected_not_mapped_to_windows_1252() -> None:
    body = RUSSIAN.encode("cp1251")
    text, used = decode(b"<p>" + body + b"</p>")
    assert used == "cp1251"
    assert RUSSIAN in text


def test_a_wrong_utf8_declaration_falls_back_to_detection() -> None:
    body = f'<?xml version="1.0" encoding="utf-8"?><p>{RUSSIAN}</p>'.encode("cp1251")
    text, used = decode(body)
    assert used == "cp1251" and RUSSIAN in text


@pytest.mark.parametrize("encoding", ["utf-16"])
def test_bom_decides(encoding: str) -> None:
    text, _ = decode(ENGLISH.encode(encoding))
    assert text == ENGLISH


def test_detect_says_none_for_nothing() -> None:
    assert detect(b"") in (None, "ascii", "utf-8")


def test_fixture_pages_saved_as_windows_1252_under_a_utf8_label_read_back_whole() -> None:
    # The shape of a CMS that declares UTF-8 and serves Windows-1252: every fixture release.
    pages = sorted(Path(__file__).parent.glob("data/articles/*/page.html"))
    assert pages
    for page in pages:
        original = page.read_text("utf-8")
        body = original.encode("cp1252")
        if body.isascii():
            continue
        text, used = decode(body, "text/html; charset=utf-8")
        assert (page.parent.name, used, text) == (page.parent.name, "cp1252", original)
