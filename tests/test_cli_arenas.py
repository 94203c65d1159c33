"""The CLI caps glibc's malloc arenas, so worker threads do not each keep their own heap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Six threads that each allocate, then glibc's own account of its heaps (one per arena).
PROBE = """
import ctypes, sys, threading
from syndicate import cli
if sys.argv[1] == "cap":
    assert cli.cap_malloc_arenas()
def work():
    keep = [bytes(200) for _ in range(5000)]
    done.wait()
done = threading.Event()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
f = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(f))
libc.fclose(ctypes.c_void_p(f))
done.set()
for t in threads: t.join()
"""


def heaps(tmp_path: Path, mode: str, env: dict[str, str] | None = None) -> int:
    out = tmp_path / f"{mode}.xml"
    subprocess.run([sys.executable, "-c", PROBE, mode, str(out)], check=True, env=env)
    return out.read_text().count("<heap nr=")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas are Linux's")
def test_threads_share_at_most_the_capped_number_of_arenas(tmp_path: Path) -> None:
    assert heaps(tmp_path, "free") > 2  # without the cap each thread has its own
    assert heaps(tmp_path, "cap") <= 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas are Linux's")
def test_the_operators_malloc_arena_max_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndicate import cli

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cli.cap_malloc_arenas() is False


def test_every_command_caps_them_before_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndicate import cli

    calls: list[bool] = []
    monkeypatch.setattr(cli, "cap_malloc_arenas", lambda: calls.append(True) or True)
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert calls == [True]
