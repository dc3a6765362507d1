"""PostgreSQL stops and starts again while registrations pour in through a real server: every
answer is a registration or a 503 with Retry-After, never a 500, and afterwards the service
registers again by itself with the seat cap exact.

The server is a private one (tests/concurrency/pg_cluster.py), never the shared one on 5432.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from courses.api import create_app
from courses.clock import FixedClock
from courses.schedule import Schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.tables import course_table, outbox_table, registration_table
from tests.concurrency.pg_cluster import PrivateCluster, postgres_binaries
from tests.concurrency.server import running_server
from tests.conftest import registrant

BINARIES = postgres_binaries()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        BINARIES is None,
        reason="no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to run a private one",
    ),
]

ASI = "asi-grund-2022"  # four seats, then the waitlist
CLIENTS = 8
ENOUGH = 10  # answers of a kind before moving on to the next phase


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    assert BINARIES is not None
    server = PrivateCluster(BINARIES)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
async def private(
    cluster: PrivateCluster, seed_schedule: Schedule, clock: FixedClock
) -> AsyncIterator[ServiceContext]:
    """The seeded schedule in the private server's database."""
    settings = Settings(database_url=cluster.url, base_url="http://kurser.test")
    db = Database.from_url(cluster.url, pool_size=2)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=clock, settings=settings)
        await import_schedule(ctx, seed_schedule)
        yield ctx
    finally:
        await db.dispose()


async def until(condition: Callable[[], bool], what: str, *, within: float = 60) -> None:
    """Wait for an outcome (not a timing); fail saying which one never came."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"never saw {what}")
        await asyncio.sleep(0.05)


async def test_a_postgresql_restart_under_load_gives_503s_then_exact_registrations(
    private: ServiceContext, cluster: PrivateCluster, clock: FixedClock
) -> None:
    app = create_app(private.settings, clock=clock, migrate=False, pool_size=4)
    answers: list[tuple[str, httpx.Response]] = []
    phase = "before"
    numbers = itertools.count()
    stop = asyncio.Event()

    def seen(wanted: str, status: int) -> Callable[[], bool]:
        return lambda: (
            sum(1 for p, r in answers if p == wanted and r.status_code == status) >= ENOUGH
        )

    with running_server(app) as base:
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:

            async def registrant_after_registrant() -> None:
                while not stop.is_set():
                    body = registrant(next(numbers))
                    answer = await http.post(f"/api/courses/{ASI}/registrations", json=body)
                    answers.append((phase, answer))

            clients = [asyncio.create_task(registrant_after_registrant()) for _ in range(CLIENTS)]
            try:
                await until(seen("before", 201), "registrations before the outage")
                phase = "down"
                await asyncio.to_thread(cluster.stop)
                await until(seen("down", 503), "503 answers while PostgreSQL was down")
                phase = "starting"
                await asyncio.to_thread(cluster.start)
                phase = "after"
                await until(seen("after", 201), "registrations after PostgreSQL came back")
            finally:
                stop.set()
                await asyncio.gather(*clients)

    odd = [(p, r.status_code, r.text[:200]) for p, r in answers if not _acceptable(r)]
    assert odd == []
    created = [r.json() for _, r in answers if r.status_code == 201]
    statuses, confirmed_count, without_mail = await _stored(private)
    assert statuses["confirmed"] == confirmed_count == 4
    assert sum(1 for c in created if c["status"] == "confirmed") <= 4
    positions = [c["waitlist_position"] for c in created if c["status"] == "waitlisted"]
    assert len(set(positions)) == len(positions)
    assert set(positions) <= set(range(1, statuses["waitlisted"] + 1))
    # A commit whose answer was lost in the outage is a row without a 201, never the reverse.
    unavailable = sum(1 for _, r in answers if r.status_code == 503)
    assert len(created) <= sum(statuses.values()) <= len(created) + unavailable
    assert without_mail == 0


def _acceptable(answer: httpx.Response) -> bool:
    if answer.status_code in (201, 409):
        return True
    return (
        answer.status_code == 503
        and answer.headers.get("retry-after") == "5"
        and answer.headers["content-type"].startswith("application/problem+json")
        and answer.json()["type"].endswith("/service-unavailable")
    )


async def _stored(ctx: ServiceContext) -> tuple[Counter[str], int, int]:
    """Registrations by status, the course's seat counter, registrations without any mail."""
    reg = registration_table.c
    async with ctx.db.read() as conn:
        course_id, confirmed_count = (
            await conn.execute(
                select(course_table.c.id, course_table.c.confirmed_count).where(
                    course_table.c.slug == ASI
                )
            )
        ).one()
        rows = await conn.execute(
            select(reg.status, func.count()).where(reg.course_id == course_id).group_by(reg.status)
        )
        statuses = Counter({status: count for status, count in rows.all()})
        mailed = select(outbox_table.c.registration_id)
        without_mail = (
            await conn.execute(
                select(func.count()).where(reg.course_id == course_id, reg.id.not_in(mailed))
            )
        ).scalar_one()
    return statuses, confirmed_count, without_mail
