"""The mail worker and housekeeping while the database cannot be reached: they wait longer
after each failed round and say so once a minute, not once a round (a probe counted 629
warnings in 18 s), and one line when the database is back. `run_mail` is what both
`courses serve` (inline worker) and `courses worker` run."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from courses.cli.mail import run_mail
from courses.clock import FixedClock
from courses.mail.transport import FileTransport
from courses.mail.worker import BatchResult, MailWorker
from courses.services.context import ServiceContext
from courses.services.operations import OutagePacer
from courses.settings import Settings
from courses.storage.db import Database
from tests.unreachable import (
    refusing_postgresql_url,
    settle_failed_sqlite_connects,
    unopenable_sqlite_url,
)

OUTAGES = ["sqlite file that cannot be opened", "postgresql refusing connections"]


@pytest.fixture(params=OUTAGES)
async def down(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[ServiceContext]:
    if request.param == OUTAGES[0]:
        url = unopenable_sqlite_url(tmp_path)
    else:
        url = refusing_postgresql_url()
    settings = Settings(database_url=url, base_url="http://kurser.test", mail_dir=tmp_path)
    db = Database.from_url(url)
    try:
        yield ServiceContext(db=db, clock=clock, settings=settings)
    finally:
        settle_failed_sqlite_connects()
        await db.dispose()


class CountingWorker(MailWorker):
    """A worker that counts its rounds."""

    rounds = 0

    async def run_once(self) -> BatchResult:
        self.rounds += 1
        return await super().run_once()


async def run_for(seconds: float, job: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `job` until its stop event is set after `seconds`."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(job(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait_for(task, 5)


def outage_lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno >= 20]


async def test_serve_and_worker_say_an_outage_once_not_once_a_round(
    down: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    # A tight poll, as a busy service's wake-ups make it: before, each round logged a line.
    mail_and_housekeeping = run_mail(FileTransport(down.settings.mail_dir), poll=0.01)
    await run_for(3, lambda stop: mail_and_housekeeping(down, stop))

    mail = outage_lines(caplog, "courses.mail.worker")
    house = outage_lines(caplog, "courses.services.housekeeping")
    assert len(mail) == 1, mail
    assert mail[0].startswith("mail worker: the database is unavailable (")
    assert len(house) == 1, house
    assert house[0].startswith("housekeeping: the database is unavailable (")
    assert not [r for r in caplog.records if r.exc_info]  # no trace


async def test_the_worker_backs_off_during_an_outage(down: ServiceContext) -> None:
    worker = CountingWorker(down, FileTransport(down.settings.mail_dir), poll_interval=0.01)

    await run_for(3, worker.run)

    # Two lanes, pauses 0.2, 0.4, 0.8, 1.6 s ... shared: a handful of rounds, not hundreds.
    assert 2 <= worker.rounds <= 12, worker.rounds
    assert worker.outage.down


async def test_a_long_outage_is_said_again_once_per_interval(
    down: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("courses.mail.worker")
    pacer = OutagePacer("mail worker", logger, first=0.05, longest=0.1, log_every=1.0)
    worker = CountingWorker(
        down, FileTransport(down.settings.mail_dir), poll_interval=0.01, outage=pacer
    )

    await run_for(2.5, worker.run)

    lines = outage_lines(caplog, "courses.mail.worker")
    assert 2 <= len(lines) <= 3, lines
    assert lines[1].startswith("mail worker: the database is still unavailable after ")
    assert worker.rounds > 2 * len(lines)


async def test_the_worker_says_once_when_the_database_is_back(
    tmp_path: Path, clock: FixedClock, sqlite_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = unopenable_sqlite_url(tmp_path)
    path = Path(url.removeprefix("sqlite:///"))
    settings = Settings(database_url=url, base_url="http://kurser.test", mail_dir=tmp_path)
    db = Database.from_url(url)
    ctx = ServiceContext(db=db, clock=clock, settings=settings)
    logger = logging.getLogger("courses.mail.worker")
    pacer = OutagePacer("mail worker", logger, first=0.05, longest=0.2)
    worker = MailWorker(ctx, FileTransport(tmp_path), poll_interval=0.05, outage=pacer)
    stop = asyncio.Event()
    try:
        task = asyncio.ensure_future(worker.run(stop))
        await asyncio.sleep(1)
        settle_failed_sqlite_connects()
        path.parent.mkdir()
        shutil.copy(sqlite_template, path)
        await asyncio.sleep(1)
        stop.set()
        await asyncio.wait_for(task, 5)
    finally:
        settle_failed_sqlite_connects()
        await db.dispose()

    lines = outage_lines(caplog, "courses.mail.worker")
    assert len(lines) == 2, lines
    assert lines[0].startswith("mail worker: the database is unavailable (")
    assert lines[1].startswith("mail worker: the database is back after ")
    assert not worker.outage.down
