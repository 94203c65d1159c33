"""Long commands show progress on a terminal and nothing in a pipe: `publish --all` and
`subscribers import`, run for real with standard error on a pseudo-terminal, then piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[service]\ndata_dir = "data"\n[feeds]\nfsync = false\n', encoding="utf-8")
    return path


def _run(args: list[str], *, terminal: bool) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE")}
    env |= {"PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "syndicate", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        return done.returncode, done.stdout, done.stderr
    controller, follower = pty.openpty()
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the child closed the terminal (EIO on Linux)
                break
            if not chunk:
                break
            seen += chunk
        out = proc.communicate(timeout=120)[0]
    finally:
        os.close(controller)
    return proc.returncode, out.decode(), seen.decode("utf-8", "replace")


def test_publish_all_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    config = str(_config(tmp_path))
    status, out, err = _run(["--config", config, "publish", "--all"], terminal=True)
    assert status == 0, err
    assert "publishing feeds" in err and "22/22" in err  # all, nine agencies, twelve topics
    assert out.startswith("publish: 22 feeds rebuilt")
    status, out, err = _run(["--config", config, "publish", "--all"], terminal=False)
    assert status == 0 and out.startswith("publish: 22 feeds rebuilt")
    assert err == ""  # nothing for a pipe or a log


def test_import_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    config = str(_config(tmp_path))
    rows = tmp_path / "list.csv"
    rows.write_text(
        "email,cadence\n" + "".join(f"p{i}@example.net,weekly\n" for i in range(40)), "utf-8"
    )
    status, out, err = _run(["--config", config, "subscribers", "import", str(rows)], terminal=True)
    assert status == 0, err
    assert "importing subscribers" in err and "40/40" in err
    assert "40 added, 0 updated, 0 bad rows" in out
    status, out, err = _run(
        ["--config", config, "subscribers", "import", str(rows)], terminal=False
    )
    assert status == 0 and "0 added, 40 updated" in out and err == ""
