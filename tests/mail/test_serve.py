"""`courses serve` sends mail as `make run` starts it: in its own process on SQLite, through a
`courses worker` child process on PostgreSQL (which it starts again if it dies)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from courses.cli import main
from tests.conftest import SEEDS, registrant
from tests.mail.smtp_server import SmtpServer
from tests.serve_process import serve_process, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def service(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`courses serve` on a free port over the demo schedule, mailing to `smtp`."""
    url = f"sqlite:///{tmp_path / 'x.db'}" if db_url.startswith("sqlite") else db_url
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env |= {
        "COURSES_DATABASE_URL": url,
        "COURSES_SMTP_URL": smtp.url,
        "COURSES_SECRET_KEY": "a-test-key-that-is-not-the-development-one",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["seed", str(SEEDS / "employers.toml")]) == 0
    assert main(["seed", str(SEEDS / "schedule-2022.toml"), "--demo"]) == 0
    with serve_process(env, tmp_path) as served:
        yield served


def children(pid: int) -> list[int]:
    found = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(line) for line in found.stdout.split()]


def test_a_registration_through_the_running_service_gets_its_confirmation(
    service: tuple[str, subprocess.Popen[bytes]], smtp: SmtpServer
) -> None:
    base, _ = service

    answer = httpx.post(
        f"{base}/api/courses/demo-lvm-forelasning-2022/registrations", json=registrant(1)
    )

    assert answer.status_code == 201
    wait_for(lambda: len(smtp.to("deltagare1@vaxjo.se")) == 1)
    assert "bekräftad" in str(smtp.to("deltagare1@vaxjo.se")[0]["Subject"])


@pytest.mark.postgresql
def test_on_postgresql_a_killed_worker_process_is_started_again_and_sends(
    service: tuple[str, subprocess.Popen[bytes]], smtp: SmtpServer, db_url: str
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("on SQLite the service sends mail itself")
    base, process = service
    wait_for(lambda: len(children(process.pid)) == 1)
    (worker,) = children(process.pid)

    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: children(process.pid) not in ([], [worker]))
    answer = httpx.post(
        f"{base}/api/courses/demo-lvm-forelasning-2022/registrations", json=registrant(2)
    )

    assert answer.status_code == 201
    wait_for(lambda: len(smtp.to("deltagare2@vaxjo.se")) == 1)


@pytest.mark.postgresql
def test_on_postgresql_the_worker_process_stops_when_the_service_is_killed(
    service: tuple[str, subprocess.Popen[bytes]], db_url: str
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("on SQLite the service sends mail itself")
    _, process = service
    wait_for(lambda: len(children(process.pid)) == 1)
    (worker,) = children(process.pid)

    process.kill()
    process.wait()

    wait_for(lambda: not Path(f"/proc/{worker}").exists() or _zombie(worker))


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True
