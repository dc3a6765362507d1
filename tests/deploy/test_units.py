"""The systemd units in deploy/ pass `systemd-analyze verify` and its offline security review.

systemd is not PID 1 here, so nothing is started: verify checks every directive and that the
command exists, so the units are rendered with ExecStart pointing at this checkout's
`courses` (they name /opt/courses/.venv/bin/courses, as docs/operating.md installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from courses.cli import _parser
from tests.deploy.support import DEPLOY, need

INSTALLED = "/opt/courses/.venv/bin/courses"
UNITS = {"courses@.service": "courses@8001.service", "courses-worker.service": None}
# Exposure on systemd's 0-100 scale (`systemd-analyze security` shows it divided by 10): the
# units reach 1.1; "OK" ends at 3.9, and over 1.5 means a protection was dropped.
MOST_EXPOSURE = 15
HARDENING = [
    "User=courses",
    "EnvironmentFile=/etc/courses/courses.env",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/lib/courses",
    "PrivateTmp=yes",
    "ProtectHome=yes",
    "CapabilityBoundingSet=",
    "SystemCallFilter=@system-service",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    analyze = shutil.which("systemd-analyze")
    need(analyze is not None, "the unit tests need systemd-analyze: apt-get install systemd")
    courses = Path(sys.executable).parent / "courses"
    assert courses.exists(), courses
    folder = tmp_path_factory.mktemp("units")
    paths = []
    for name, instance in UNITS.items():
        text = (DEPLOY / name).read_text(encoding="utf-8")
        assert text.count(f"ExecStart={INSTALLED} ") == 1, name
        path = folder / (instance or name)
        path.write_text(text.replace(INSTALLED, str(courses)))
        paths.append(path)
    return paths


def _analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_units_verify_without_a_word(rendered: list[Path]) -> None:
    done = _analyze("verify", *map(str, rendered))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("index", range(len(UNITS)), ids=list(UNITS))
def test_the_units_are_hardened(rendered: list[Path], index: int) -> None:
    unit = rendered[index]
    lines = set(unit.read_text(encoding="utf-8").splitlines())
    assert [line for line in HARDENING if line not in lines] == []
    done = _analyze("security", "--offline=true", f"--threshold={MOST_EXPOSURE}", str(unit))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr


@pytest.mark.parametrize("name", list(UNITS))
def test_the_units_commands_are_the_cli_s(name: str) -> None:
    """The arguments in ExecStart are ones `courses` takes (checked by its own parser)."""
    text = (DEPLOY / name).read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    args = line.removeprefix(f"ExecStart={INSTALLED} ").replace("%i", "8001").split()
    parsed = _parser().parse_args(args)
    assert parsed.command == args[0]
