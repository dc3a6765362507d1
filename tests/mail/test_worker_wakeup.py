"""An idle mail worker sleeps until there is mail: woken by PostgreSQL's NOTIFY when another
connection commits it, by its own process's signal on SQLite, and never left waiting for its
(here one minute long) safety poll. The controls show the poll alone would not have sent it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from courses.mail.transport import FileTransport
from courses.mail.wakeup import Wakeup
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.storage.db import Database
from courses.storage.wakeup import SLEEPING
from tests.conftest import form

LVM = "lvm-forelasning-2022"  # uncapped, one session: one outbox row per confirmation
LONG_POLL = 60.0
PROMPTLY = 5.0  # seconds: far below the poll, far above a wake-up on a busy machine
NOT_WITHIN = 2.0  # the controls: nothing sent this long after the commit


class CountingWakeup(Wakeup):
    """Counts the lanes' sleeps, so a test can tell the worker has nothing left to look at."""

    sleeps = 0

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        if seconds > 0:
            self.sleeps += 1
        await super()._wait(stop, seconds)


async def eventually(done: Callable[[], Awaitable[bool]], *, within: float) -> bool:
    """Whether `done()` came true within `within` seconds (an outcome, looked at often)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if await done():
            return True
        await asyncio.sleep(0.02)
    return False


async def sent(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        found = await conn.execute(text("SELECT count(*) FROM outbox_mail WHERE status = 'sent'"))
        return int(found.scalar_one())


async def sleeper(ctx: ServiceContext) -> int | None:
    """The server process of the connection holding the sleeping worker's lock, if any."""
    async with ctx.db.read() as conn:
        found = await conn.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objid = :key AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"key": SLEEPING},
        )
        pid: int | None = found.scalar()
        return pid


@asynccontextmanager
async def running(ctx: ServiceContext, tmp_path: Path) -> AsyncIterator[MailWorker]:
    """A worker with a one-minute poll, running until the block ends, gone to sleep."""
    worker = MailWorker(ctx, FileTransport(tmp_path), poll_interval=LONG_POLL)
    worker.wakeup = CountingWakeup(ctx, worker.outage, poll=LONG_POLL)
    stop = asyncio.Event()
    task = asyncio.ensure_future(worker.run(stop))
    try:
        await asleep(worker, ctx)
        yield worker
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def asleep(worker: MailWorker, ctx: ServiceContext, *, before: int = 0) -> None:
    """Until every lane sleeps (more than `before` sleeps counted), on PostgreSQL holding the
    lock that makes the triggers notify."""
    wakeup = worker.wakeup
    assert isinstance(wakeup, CountingWakeup)

    async def done() -> bool:
        if wakeup.sleeps < before + worker.lanes:
            return False
        return ctx.db.is_sqlite or await sleeper(ctx) is not None

    assert await eventually(done, within=10), "the worker did not go to sleep"


@pytest.fixture
async def elsewhere(seeded: ServiceContext) -> AsyncIterator[ServiceContext]:
    """Another connection pool and another process's signal on the same database."""
    db = Database.from_url(seeded.settings.database_url)
    yield ServiceContext(db=db, clock=seeded.clock, settings=seeded.settings)
    await db.dispose()


def committer(seeded: ServiceContext, elsewhere: ServiceContext) -> ServiceContext:
    """Who commits the mail: on PostgreSQL another connection (as another process would), on
    SQLite a service of the worker's own process (nothing crosses processes there)."""
    return seeded if seeded.db.is_sqlite else elsewhere


async def test_mail_committed_while_the_worker_sleeps_is_sent_at_once(
    seeded: ServiceContext, elsewhere: ServiceContext, tmp_path: Path
) -> None:
    async with running(seeded, tmp_path):
        await register(committer(seeded, elsewhere), LVM, form(1))

        delivered = await eventually(lambda: _one_sent(seeded), within=PROMPTLY)

    assert delivered


async def test_control_without_the_wake_up_the_mail_waits_for_the_poll(
    seeded: ServiceContext, elsewhere: ServiceContext, tmp_path: Path
) -> None:
    # Another process's signal never reaches this worker; on PostgreSQL, no NOTIFY either.
    async with without_notify(seeded), running(seeded, tmp_path):
        await register(elsewhere, LVM, form(1))

        delivered = await eventually(lambda: _one_sent(seeded), within=NOT_WITHIN)

    assert not delivered


@asynccontextmanager
async def without_notify(ctx: ServiceContext) -> AsyncIterator[None]:
    """The outbox's triggers off while the block runs (PostgreSQL; the database is reused)."""
    if ctx.db.is_sqlite:
        yield
        return
    async with ctx.db.write() as conn:
        await conn.execute(text("ALTER TABLE outbox_mail DISABLE TRIGGER USER"))
    try:
        yield
    finally:
        async with ctx.db.write() as conn:
            await conn.execute(text("ALTER TABLE outbox_mail ENABLE TRIGGER USER"))


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)
async def test_the_worker_listens_again_after_its_connection_is_killed(
    seeded: ServiceContext, elsewhere: ServiceContext, tmp_path: Path
) -> None:
    async with running(seeded, tmp_path) as worker:
        killed = await sleeper(seeded)
        sleeps = worker.wakeup.sleeps  # type: ignore[attr-defined]
        async with elsewhere.db.write() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})

        await asleep(worker, seeded, before=sleeps)
        assert await sleeper(seeded) not in (None, killed)
        assert worker.wakeup.listening
        await register(elsewhere, LVM, form(1))

        delivered = await eventually(lambda: _one_sent(seeded), within=PROMPTLY)

    assert delivered


async def _one_sent(ctx: ServiceContext) -> bool:
    return await sent(ctx) == 1
