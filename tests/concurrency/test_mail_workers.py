"""Mail under concurrency: two workers draining one outbox on PostgreSQL, and a registration
rush through a real server whose in-process worker mails everyone, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from courses.api import create_app
from courses.cli.mail import run_mail
from courses.clock import FixedClock
from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.storage.db import Database
from courses.storage.tables import outbox_table
from tests.concurrency.server import running_server
from tests.conftest import form, registrant
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer

pytestmark = pytest.mark.slow

LVM = "lvm-forelasning-2022"  # uncapped, one session: one outbox row per confirmation
DOMAIN = "localhost"  # of the default mail_from, utbildning@localhost


async def outbox_rows(ctx: ServiceContext) -> list[Any]:
    async with ctx.db.read() as conn:
        result = await conn.execute(select(outbox_table).order_by(outbox_table.c.id))
        return list(result.all())


def header_id(row: Any) -> str:
    return f"<{row.message_id}@{DOMAIN}>"


async def eventually(done: Callable[[], Awaitable[bool]], *, within: float = 20.0) -> None:
    """Wait for an outcome (not a timing): poll until `done()` is true or give up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if await done():
            return
        await asyncio.sleep(0.05)


async def register_many(ctx: ServiceContext, count: int) -> None:
    gate = asyncio.Semaphore(10)

    async def one(n: int) -> None:
        async with gate:
            await register(ctx, LVM, form(n))

    await asyncio.gather(*(one(n) for n in range(count)))


# Several workers claim side by side only on PostgreSQL (FOR UPDATE SKIP LOCKED); on SQLite
# write transactions take turns.
ON_POSTGRESQL_ONLY = pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)


@ON_POSTGRESQL_ONLY
async def test_two_workers_on_postgresql_send_each_of_1000_mails_exactly_once(
    seeded: ServiceContext, db_url: str, smtp: SmtpServer, clock: FixedClock
) -> None:
    await register_many(seeded, 1000)
    databases = [Database.from_url(db_url, pool_size=2) for _ in range(2)]
    workers = [
        MailWorker(
            ServiceContext(db=db, clock=clock, settings=seeded.settings),
            SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT),
            name=f"worker-{n}",
            batch_size=25,
        )
        for n, db in enumerate(databases)
    ]
    try:
        results = await asyncio.gather(*(worker.drain() for worker in workers))
    finally:
        for db in databases:
            await db.dispose()

    rows = await outbox_rows(seeded)
    assert len(rows) == 1000
    assert {row.status for row in rows} == {"sent"}
    received = Counter(smtp.message_ids())
    assert len(received) == 1000
    assert set(received.values()) == {1}
    assert set(received) == {header_id(row) for row in rows}
    shares = Counter(row.claimed_by for row in rows)
    assert set(shares) == {"worker-0", "worker-1"}
    assert [len(result.sent) for result in results] == [shares["worker-0"], shares["worker-1"]]
    assert all(result.retried == result.failed == [] for result in results)


@pytest.fixture
async def mailing_server(
    seeded: ServiceContext, clock: FixedClock, smtp: SmtpServer
) -> AsyncIterator[str]:
    """The app with its in-process mail worker, sending to `smtp`, behind uvicorn."""
    app = create_app(
        seeded.settings,
        clock=clock,
        migrate=False,
        background=[run_mail(SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT))],
    )
    with running_server(app) as base_url:
        yield base_url


async def test_50_simultaneous_registrations_each_get_exactly_their_confirmation_mail(
    seeded: ServiceContext, mailing_server: str, smtp: SmtpServer
) -> None:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=mailing_server, limits=limits, timeout=60) as http:
        responses = await asyncio.gather(
            *(http.post(f"/api/courses/{LVM}/registrations", json=registrant(n)) for n in range(50))
        )

    async def all_sent() -> bool:
        rows = await outbox_rows(seeded)
        return len(smtp.messages) >= 50 and {row.status for row in rows} == {"sent"}

    await eventually(all_sent)

    assert [r.status_code for r in responses] == [201] * 50
    rows = await outbox_rows(seeded)
    assert len(rows) == 50
    assert {row.status for row in rows} == {"sent"}
    expected = {row.registration_id: header_id(row) for row in rows}
    by_recipient = {str(m["To"].addresses[0].addr_spec): m for m in smtp.messages}
    assert len(smtp.messages) == len(by_recipient) == 50
    for n, response in enumerate(responses):
        mail = by_recipient[f"deltagare{n}@vaxjo.se"]
        assert str(mail["Message-ID"]) == expected[response.json()["id"]]
        assert str(mail["Subject"]).startswith("Anmälan bekräftad")
