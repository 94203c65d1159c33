"""`syndicate demo` on a fresh data directory: exits 0, and what it prints points at feeds and
messages that exist; `--release` flows one more release through to the feed and the Maildir."""

from __future__ import annotations

import mailbox
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"


def _demo(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "syndicate", "demo", *args],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def _titles(feed: Path) -> list[str]:
    root = ElementTree.parse(feed).getroot()
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def test_demo_prints_paths_that_exist_and_release_flows_through(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    out = _demo("--data", str(data))
    printed = [Path(p) for p in re.findall(r"^\s+(/\S+)$", out, re.M)]
    feeds = [p for p in printed if p.suffix == ".atom"]
    messages = [p for p in printed if "maildir" in p.parts]
    assert feeds and messages, out
    assert all(p.exists() for p in printed), [p for p in printed if not p.exists()]
    assert (data / "config.toml").exists()

    all_feed = data / "feeds" / "all.atom"
    first = _titles(all_feed)
    assert len(first) == 6
    assert "Secretary Noem Travels to Ecuador to Deepen Security Cooperation" in first
    box = mailbox.Maildir(data / "maildir", create=False)
    sent = len(box)
    assert sent == 6  # the demo subscriber is immediate: one message per brief

    again = _demo("--data", str(data))
    assert "0 new briefs" in again
    assert len(box) == sent

    _demo("--data", str(data), "--release")
    titles = _titles(all_feed)
    assert "CBP Officers at Otay Mesa Intercept Fentanyl Hidden in Vehicle Floor" in titles
    assert len(titles) == 7
    assert len(box) == sent + 1

    # The demo's config carries on with the other commands.
    preview = subprocess.run(
        [sys.executable, "-m", "syndicate", "--config", str(data / "config.toml"), "sources"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert preview.returncode == 0 and "cbp" in preview.stdout
