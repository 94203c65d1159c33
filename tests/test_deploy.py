"""The deploy files, exercised as far as this machine allows.

- `deploy/docker-entrypoint.sh` runs for real (with `SYNDICATE_DATA` pointing at a temporary
  folder instead of `/data`, and the installed `syndicate` on PATH): first start, later
  starts, an unwritable volume.
- `deploy/Dockerfile` is read for the layout the entrypoint needs (`/data` created and owned
  by the user before `USER`, the files it copies exist); it is built only where a Docker
  daemon answers, which it does not on the development machine or CI (no daemon, and no
  registry to pull the base image from).
- `deploy/syndicate.service` goes through `systemd-analyze verify`, and its comments are held
  to the real variable names and the paths the unit makes writable.
- Relative paths resolve under `data_dir`, and `check` really writes where the service will.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syndicate import config as config_module
from syndicate.cli import main
from syndicate.config import WebConfig

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"
UNIT = DEPLOY / "syndicate.service"
BIN = Path(sys.executable).parent


def _entrypoint(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "SYNDICATE_DATA": str(data),
        "HOME": str(data),
    }
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_entrypoint_first_start_writes_the_config_into_the_volume(tmp_path: Path) -> None:
    data = tmp_path / "volume"
    data.mkdir()
    done = _entrypoint(data, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"wrote {data / 'config.toml'}" in done.stderr
    assert "ok    feeds:" in done.stdout and "FAIL" not in done.stdout
    cfg = config_module.load(data / "config.toml")
    # Everything the service writes is in the volume; the web side listens beyond loopback.
    assert cfg.data_dir == data
    assert cfg.feeds_dir == data / "feeds"
    assert cfg.database_url == f"sqlite:///{data / 'syndicate.db'}"
    assert cfg.web.host == "0.0.0.0"
    assert len(cfg.sources) >= 9


def test_entrypoint_keeps_the_operators_edits(tmp_path: Path) -> None:
    data = tmp_path / "volume"
    data.mkdir()
    assert _entrypoint(data, "check").returncode == 0
    config = data / "config.toml"
    edited = config.read_text("utf-8").replace('name = "DHS Briefs"', 'name = "Our Briefs"', 1)
    config.write_text(edited, "utf-8")
    again = _entrypoint(data, "--version")
    assert again.returncode == 0 and again.stdout.startswith("syndicate ")
    assert "wrote" not in again.stderr
    assert config.read_text("utf-8") == edited


def test_entrypoint_says_when_the_volume_is_not_writable() -> None:
    # sysfs refuses new files even to root: the shape of a root-owned bind mount.
    done = _entrypoint(Path("/sys"), "run")
    assert done.returncode == 1
    assert "cannot write to /sys as uid" in done.stderr and "chown" in done.stderr


def _dockerfile() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def test_dockerfile_creates_and_owns_the_data_volume_before_dropping_root() -> None:
    lines = _dockerfile()
    user = next(i for i, ln in enumerate(lines) if ln == "USER syndicate")
    made = [i for i, ln in enumerate(lines) if ln.startswith("RUN") and "mkdir -p /data" in ln]
    owned = [i for i, ln in enumerate(lines) if "chown syndicate:syndicate /data" in ln]
    assert made and owned and max(made + owned) < user
    volume = next(i for i, ln in enumerate(lines) if ln.startswith("VOLUME"))
    # Docker copies the image's /data (and its owner) into a new named volume only if the
    # folder exists before VOLUME declares it.
    assert "/data" in lines[volume] and volume > max(made)
    assert any("SYNDICATE_CONFIG=/data/config.toml" in ln for ln in lines if ln.startswith("ENV"))


def test_dockerfile_copies_what_exists_and_what_the_entrypoint_needs() -> None:
    lines = _dockerfile()
    copies = {i: ln.split()[1:] for i, ln in enumerate(lines) if ln.startswith("COPY")}
    for *sources, _dest in copies.values():
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    script = next(dest for *srcs, dest in copies.values() if "docker-entrypoint.sh" in srcs[0])
    assert next(ln for ln in lines if ln.startswith("ENTRYPOINT")) == f'ENTRYPOINT ["{script}"]'
    assert os.access(ENTRYPOINT, os.X_OK), "the entrypoint is not executable"
    # The packaged config `syndicate init` writes is a link to the shipped config.toml, so
    # config.toml must be in the image before `pip install .` builds the package.
    shipped = ROOT / "syndicate" / "config" / "shipped.toml"
    assert shipped.is_symlink() and shipped.resolve() == (ROOT / "config.toml").resolve()
    install = next(i for i, ln in enumerate(lines) if "pip install ." in ln)
    assert any(i < install and "config.toml" in srcs[:-1] for i, srcs in copies.items())


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(
    not _docker_answers(),
    reason="no Docker daemon answers here (the client may exist; `docker info` fails), "
    "and the base image could not be pulled without a registry",
)
def test_the_image_builds_and_checks(tmp_path: Path) -> None:
    tag = "syndicate-test:deploy"
    built = subprocess.run(
        ["docker", "build", "-f", str(DEPLOY / "Dockerfile"), "-t", tag, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    ran = subprocess.run(
        ["docker", "run", "--rm", tag, "check"], capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def _unit() -> str:
    return UNIT.read_text("utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    # verify wants the ExecStart program to exist: point it at the installed one.
    unit = tmp_path / "syndicate.service"
    unit.write_text(
        _unit().replace("/opt/syndicate/bin/syndicate", str(BIN / "syndicate")), "utf-8"
    )
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120
    )
    complaints = [ln for ln in done.stderr.splitlines() if str(unit) in ln]
    assert done.returncode == 0 and not complaints, done.stderr


def test_systemd_env_file_comment_uses_the_real_variable_names() -> None:
    named = re.findall(r"^#\s+([A-Z][A-Z0-9_]+)=\.\.\.", _unit(), re.M)
    assert named, "the unit no longer shows the env file's variables"
    shipped = (ROOT / "config.toml").read_text("utf-8")
    for name in named:
        secret = name == WebConfig().secret_env
        password = re.search(rf'^password_env = .*"{name}"', shipped, re.M) is not None
        assert secret or password, f"{name} is not a variable config.toml names"
        if password:
            assert f'password_env = "{name}"' in _unit(), f"say which key makes {name} count"


def test_systemd_unit_data_dir_is_the_writable_state_directory() -> None:
    text = _unit()
    state = re.search(r"^StateDirectory=(\S+)", text, re.M)
    writable = re.search(r"^ReadWritePaths=(\S+)", text, re.M)
    init = re.search(r"syndicate init (\S+) --data-dir (\S+)", text)
    start = re.search(r"^ExecStart=\S+ --config (\S+) run$", text, re.M)
    assert state and writable and init and start
    assert writable.group(1) == f"/var/lib/{state.group(1)}" == init.group(2)
    assert start.group(1) == f"{init.group(1)}/config.toml"
    assert re.search(r"^ProtectSystem=strict$", text, re.M)


def test_the_units_layout_puts_every_written_path_under_data_dir(tmp_path: Path) -> None:
    # The unit's layout in miniature: the config in etc/ (read-only under ProtectSystem),
    # the state directory in var/. Nothing the service writes may resolve into etc/.
    etc, var = tmp_path / "etc", tmp_path / "var"
    assert main(["init", str(etc), "--data-dir", str(var)]) == 0
    cfg = config_module.load(etc / "config.toml")
    written = [cfg.data_dir, cfg.feeds_dir, cfg.data_dir / cfg.mail.maildir]
    written.append(Path(cfg.database_url.removeprefix("sqlite:///")))
    for path in written:
        assert path.is_relative_to(var), path
    assert cfg.path("dkim.pem") == var / "dkim.pem"
    assert cfg.path("/etc/ssl/dkim.pem") == Path("/etc/ssl/dkim.pem")


def test_check_writes_a_file_where_access_would_say_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As root, os.access() says /sys is writable; creating a file there fails. The old check
    # said ok for a feeds folder the service could not write (a read-only /etc/syndicate).
    assert os.access("/sys", os.W_OK) or os.geteuid() != 0
    config = tmp_path / "config.toml"
    config.write_text('[service]\ndata_dir = "data"\n[feeds]\ndir = "/sys/syndicate-feeds"\n')
    assert main(["--config", str(config), "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  feeds: config: feeds.dir = '/sys/syndicate-feeds': /sys is not writable" in out
    assert "ok    data:" in out


def test_no_config_error_names_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "config.toml"
    assert main(["--config", str(missing), "sources"]) == 2
    err = capsys.readouterr().err
    assert f"config: {missing} not found; `syndicate init {missing.parent}` writes" in err
