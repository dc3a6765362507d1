"""Backups: `courses backup` copies the SQLite file while `courses serve` writes, and the copy
restored under a fresh service keeps its links and its outbox; on PostgreSQL, the guide's
pg_dump/pg_restore commands (docs/operating.md, "Backups") round-trip a database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import make_url

from courses.api import create_app
from courses.cli import main, upkeep
from courses.settings import Settings
from tests.conftest import SEEDS, registrant
from tests.mail.smtp_server import SmtpServer
from tests.serve_process import serve_process, wait_for
from tests.test_cli import point_cli_at, run

pytestmark = pytest.mark.slow

KEY = "a-test-key-that-is-not-the-development-one"
COURSE = "demo-lvm-forelasning-2022"


@contextmanager
def serving(database: Path, smtp: SmtpServer, cwd: Path, mail_worker: str) -> Iterator[str]:
    """`courses serve` over the SQLite file `database`, as an operator starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env |= {
        "COURSES_DATABASE_URL": f"sqlite:///{database}",
        "COURSES_SMTP_URL": smtp.url,
        "COURSES_SECRET_KEY": KEY,
    }
    with serve_process(env, cwd, "--mail-worker", mail_worker) as (base, _):
        yield base


class Writer(threading.Thread):
    """Registers one person after another until stopped, noting when each answer came."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.done: list[tuple[float, float, str]] = []  # (asked, answered, address)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            n = 100
            while not self.stop.is_set():
                asked = time.monotonic()
                answer = client.post(f"/api/courses/{COURSE}/registrations", json=registrant(n))
                assert answer.status_code == 201, answer.text
                self.done.append((asked, time.monotonic(), f"deltagare{n}@vaxjo.se"))
                n += 1


def slow_print(*args: object, **kwargs: Any) -> None:
    time.sleep(0.1)
    print(*args, **kwargs)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_a_backup_taken_while_the_service_writes_restores_under_a_fresh_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "courses.db"
    point_cli_at(f"sqlite:///{live}", tmp_path, monkeypatch)
    assert main(["seed", str(SEEDS / "employers.toml")]) == 0
    assert main(["seed", str(SEEDS / "schedule-2022.toml"), "--demo"]) == 0
    capsys.readouterr()
    before = SmtpServer()
    before.start()
    with serving(live, before, tmp_path, "inline") as base:
        answers = [
            httpx.post(f"{base}/api/courses/{COURSE}/registrations", json=registrant(n)).json()
            for n in (1, 2, 3)
        ]
        wait_for(lambda: all(before.to(f"deltagare{n}@vaxjo.se") for n in (1, 2, 3)))
    before.stop()
    # The service goes on taking registrations, their mails waiting in the outbox, while the
    # backup is taken in small steps, slowed down (as on a slow disk) so that it takes a while.
    monkeypatch.setattr(upkeep, "PAGES_PER_STEP", 1)
    monkeypatch.setattr(upkeep, "print", slow_print, raising=False)
    backup = tmp_path / "backup.db"
    with serving(live, before, tmp_path, "off") as base:
        writer = Writer(base)
        writer.start()
        wait_for(lambda: len(writer.done) >= 5)
        started = time.monotonic()
        code, out, err = run(capsys, "backup", backup)
        finished = time.monotonic()
        wait_for(lambda: any(asked > finished for asked, _, _ in writer.done))
        writer.stop.set()
        writer.join()

    assert (code, out) == (0, f"Databasen är kopierad till {backup}.\n")
    assert err.count("Kopierar databasen:") >= 2
    assert err.splitlines()[-1].endswith("sidor (100 %)")
    assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
    kept = {str(email) for (email,) in rows(backup, "SELECT email FROM registration")}
    assert sum(started < answered < finished for _, answered, _ in writer.done) >= 3
    assert {address for _, answered, address in writer.done if answered < started} <= kept
    assert not {address for asked, _, address in writer.done if asked > finished} & kept
    waiting = rows(backup, "SELECT count(*) FROM outbox_mail WHERE status = 'pending'")[0][0]
    assert waiting == len(kept) - 3

    restored = tmp_path / "restored" / "courses.db"
    restored.parent.mkdir()
    shutil.copy(backup, restored)
    after = SmtpServer()
    after.start()
    try:
        with serving(restored, after, restored.parent, "inline") as base:
            for n, answer in zip((1, 2, 3), answers, strict=True):
                page = httpx.get(base + urlsplit(answer["manage_url"]).path)
                assert page.status_code == 200
                assert f"Deltagare {n}" in page.text
            wait_for(lambda: len(after.messages) >= waiting)
            time.sleep(1)  # time for a mail sent twice to arrive
    finally:
        after.stop()

    assert len(after.messages) == waiting
    assert {address for _, addresses in after.envelopes for address in addresses} == kept - {
        f"deltagare{n}@vaxjo.se" for n in (1, 2, 3)
    }


def libpq(url: str) -> str:
    """A database URL as pg_dump takes it: COURSES_DATABASE_URL with the scheme `postgresql`."""
    return "postgresql://" + url.partition("://")[2]


TABLES = ("course", "registration", "outbox_mail")


def counts(url: str) -> tuple[int, int, int]:
    found = subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--field-separator= ",
            libpq(url),
            "--command",
            f"SELECT {', '.join(f'(SELECT count(*) FROM {t})' for t in TABLES)}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    course, registration, mail = found.stdout.split()
    return int(course), int(registration), int(mail)


@pytest.mark.postgresql
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_guides_pg_dump_and_pg_restore_round_trip_a_database(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pg_dump and pg_restore are needed (apt install postgresql-client)")
        pytest.skip("pg_dump and pg_restore are not installed (apt install postgresql-client)")
    point_cli_at(db_url, tmp_path, monkeypatch)
    assert main(["seed", str(SEEDS / "employers.toml")]) == 0
    assert main(["seed", str(SEEDS / "schedule-2022.toml"), "--demo"]) == 0
    settings = Settings.from_env()
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        answer = client.post(f"/api/courses/{COURSE}/registrations", json=registrant(1))
        assert answer.status_code == 201
    manage = urlsplit(answer.json()["manage_url"]).path
    restored_name = f"{make_url(db_url).database}_restored"
    restored = make_url(db_url).set(database=restored_name).render_as_string(hide_password=False)
    dump = tmp_path / "courses.dump"

    # The commands of docs/operating.md, "Backups", with the test's URLs.
    try:
        for command in (
            ["pg_dump", "--format=custom", f"--file={dump}", libpq(db_url)],
            ["createdb", f"--maintenance-db={libpq(db_url)}", restored_name],
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq(restored)}", dump],
        ):
            subprocess.run([str(part) for part in command], check=True, capture_output=True)

        assert counts(restored) == counts(db_url)
        assert counts(restored)[1:] == (1, 1)
        monkeypatch.setenv("COURSES_DATABASE_URL", restored)
        capsys.readouterr()
        assert run(capsys, "migrate", "--check")[0] == 0
        with TestClient(create_app(Settings.from_env()), base_url="http://127.0.0.1") as client:
            page = client.get(manage)
        assert page.status_code == 200
        assert "Deltagare 1" in page.text
    finally:
        subprocess.run(
            [
                "dropdb",
                "--if-exists",
                "--force",
                f"--maintenance-db={libpq(db_url)}",
                restored_name,
            ],
            check=True,
            capture_output=True,
        )
