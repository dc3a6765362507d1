"""The log of a real server and worker: the request id on every line of a request, the outbox
id on the worker's lines, and never a manage token, in the access log neither."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from courses.api import create_app
from courses.cli import main
from courses.clock import FixedClock
from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.metrics import Metrics
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.tables import outbox_table
from tests.concurrency.server import running_server
from tests.conftest import SEEDS, form, registrant
from tests.log_lines import captured_logs, json_lines
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer, _free_port
from tests.unreachable import settle_failed_sqlite_connects, unopenable_sqlite_url

ASI = "/api/courses/asi-grund-2022/registrations"

# uvicorn with its access log on, through courses.logs, as `courses serve` runs it.
SERVE_LOGGING = {"log_config": None, "log_level": "info"}


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_registrants_manage_token_never_reaches_the_log(
    seeded: ServiceContext, clock: FixedClock, log_format: str
) -> None:
    app = create_app(seeded.settings, clock=clock, migrate=False)
    with (
        captured_logs(log_format) as out,  # type: ignore[arg-type]
        running_server(app, **SERVE_LOGGING) as base,
        httpx.Client(base_url=base, timeout=60) as http,
    ):
        created = http.post(ASI, json=registrant(1)).json()
        token = created["manage_url"].rsplit("/", 1)[1]
        answers = [
            http.get(f"/api/registrations/{token}"),
            http.get(f"/api/registrations/{token}/invite.ics"),
            http.delete(f"/api/registrations/{token}"),
            http.delete(f"/api/registrations/{token}"),
        ]

    written = out.getvalue()
    assert [a.status_code for a in answers] == [200, 200, 200, 404]
    assert token not in written
    access = [line for line in written.splitlines() if "uvicorn.access" in line]
    assert sum(f"/api/registrations/{token[:4]}…" in line for line in access) == 4


def test_every_line_of_one_request_carries_its_request_id(
    tmp_path: Path, clock: FixedClock
) -> None:
    # A request that logs more than its access line: one while the database is unreachable.
    app = create_app(
        Settings(database_url=unopenable_sqlite_url(tmp_path)), clock=clock, migrate=False
    )
    with (
        captured_logs("json") as out,
        running_server(app, **SERVE_LOGGING) as base,
        httpx.Client(base_url=base, timeout=60) as http,
    ):
        chosen = http.get("/api/courses", headers={"X-Request-ID": "lb-17"})
        generated = http.get("/api/employers")
        settle_failed_sqlite_connects()

    served = ("courses.api", "uvicorn.access")
    lines = [line for line in json_lines(out) if line["logger"] in served]
    by_id: dict[str, list[str]] = {}
    for line in lines:
        by_id.setdefault(line["request_id"], []).append(line["logger"])
    assert chosen.headers["x-request-id"] == "lb-17"
    assert by_id == {
        "lb-17": ["courses.api", "uvicorn.access"],
        generated.headers["x-request-id"]: ["courses.api", "uvicorn.access"],
    }


async def test_the_workers_lines_carry_the_outbox_id_of_their_mail(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    for n in range(2):
        await register(seeded, "lvm-forelasning-2022", form(n))
    async with seeded.db.read() as conn:
        ids = list((await conn.execute(select(outbox_table.c.id).order_by("id"))).scalars())
    smtp.answer("550 5.1.1 Ingen sådan mottagare")
    metrics = Metrics()
    worker = MailWorker(seeded, SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), metrics=metrics)

    with captured_logs("json") as out:
        await worker.drain()

    mine = [line for line in json_lines(out) if line["logger"] == "courses.mail.worker"]
    assert sorted((line["mail"], line["message"].split(":")[1].strip()) for line in mine) == [
        (ids[0], "failed for good"),
        (ids[1], "sent"),
    ]
    text = metrics.render()[0].decode()
    assert 'courses_mail_results_total{result="sent"} 1.0' in text
    assert 'courses_mail_results_total{result="failed"} 1.0' in text


async def test_the_worker_says_in_one_line_without_a_trace_that_the_database_is_away(
    tmp_path: Path, clock: FixedClock
) -> None:
    unreachable = unopenable_sqlite_url(tmp_path)
    db = Database.from_url(unreachable)
    ctx = ServiceContext(db=db, clock=clock, settings=Settings(database_url=unreachable))
    worker = MailWorker(ctx, SmtpTransport("smtp://127.0.0.1:1", timeout=1), poll_interval=0.01)
    stop = asyncio.Event()

    with captured_logs("json") as out:
        running = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(1)  # several rounds (0.2, 0.4 s apart ...), one line for all
        stop.set()
        await running
    settle_failed_sqlite_connects()
    await db.dispose()

    lines = json_lines(out)
    assert len(lines) == 1, lines
    assert lines[0]["message"].startswith("mail worker: the database is unavailable (")
    assert not any("exception" in line for line in lines)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def serve_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """`courses serve` with COURSES_LOG_FORMAT=json over a seeded SQLite file; its stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env |= {
        "COURSES_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "COURSES_LOG_FORMAT": "json",
        "COURSES_MAIL_DIR": str(tmp_path / "mail-out"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["seed", str(SEEDS / "employers.toml")]) == 0
    assert main(["seed", str(SEEDS / "schedule-2022.toml"), "--demo"]) == 0
    port = _free_port()
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "courses.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        yield base, log
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _wait_until_up(base: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(f"{base}/api/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("courses serve did not start")


@pytest.mark.slow
def test_courses_serve_logs_json_lines_with_request_ids_and_no_tokens(
    serve_json: tuple[str, Path],
) -> None:
    base, log = serve_json
    created = httpx.post(
        f"{base}/api/courses/demo-lvm-forelasning-2022/registrations", json=registrant(1)
    )
    token = created.json()["manage_url"].rsplit("/", 1)[1]
    shown = httpx.get(f"{base}/api/registrations/{token}")

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert token not in log.read_text()
    assert any(line["message"] == "Application startup complete." for line in lines)
    assert {
        (line["method"], line["path"], line["status"], line["request_id"])
        for line in access
        if line["path"].startswith("/api/registrations/")
    } == {("GET", f"/api/registrations/{token[:4]}…", 200, shown.headers["x-request-id"])}
