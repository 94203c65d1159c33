"""The publishers syndicate knows: the nine DHS agencies built in, plus `[[agencies]]`.

An operator who also watches, say, the Department of Justice adds it in config.toml
(`code`, `name`, `site`); its code can then be a source's `agency`, and it gets its own feed,
web listing and subscription choice like the nine. Codes are upper-case, as written in feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Publisher:
    """One agency: its code (`CBP`), full name (as in `Sources:` lines) and web site."""

    code: str
    name: str
    site: str


BUILT_IN: dict[str, Publisher] = {
    p.code: p
    for p in (
        Publisher("DHS", "U.S. Department of Homeland Security", "https://www.dhs.gov"),
        Publisher("CBP", "U.S. Customs and Border Protection", "https://www.cbp.gov"),
        Publisher("ICE", "U.S. Immigration and Customs Enforcement", "https://www.ice.gov"),
        Publisher("USCIS", "U.S. Citizenship and Immigration Services", "https://www.uscis.gov"),
        Publisher("TSA", "Transportation Security Administration", "https://www.tsa.gov"),
        Publisher("FEMA", "Federal Emergency Management Agency", "https://www.fema.gov"),
        Publisher(
            "CISA", "Cybersecurity and Infrastructure Security Agency", "https://www.cisa.gov"
        ),
        Publisher("USCG", "U.S. Coast Guard", "https://www.uscg.mil"),
        Publisher("USSS", "U.S. Secret Service", "https://www.secretservice.gov"),
    )
}

# Stored in an 8-character column and used in file names (`agency/doj.atom`).
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,7}")


def code(value: str) -> str:
    """A valid agency code for `[[agencies]]`, else ValueError with what is expected."""
    if not _CODE.fullmatch(value):
        raise ValueError("2 to 8 upper-case letters or digits, starting with a letter (DOJ)")
    if value in BUILT_IN:
        raise ValueError(f"a new code: {value} is built in")
    return value
