"""A year's registrations already in the tables, under a rush (`registration_rush.py --preload`).

`preload(url, n)` writes `n` registrations of past registrants (nine in ten confirmed, one in
ten cancelled, the employers in turn) to the warm-up course of `bench/rush-schedule.toml`, each
with its sent confirmation in the outbox, on a seeded database before the service starts.
The measured courses stay empty, so the seat checks are unchanged, while every index the
registration path writes (the registration's primary key, token and active-address indexes,
the outbox's) is a year deep.
"""

from __future__ import annotations

import asyncio

from load import WARMUP
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from courses.storage.tables import course_table, employer_table, format_table

_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}

# The rows are made by the database from a series of numbers: Python building and sending
# 600,000 rows took four to five minutes on a busy machine. Registration i was made 100 s after
# registration i - 1 from 1 September 2098; every tenth one was cancelled three days later.
_SERIES = {
    "postgresql": "SELECT i FROM generate_series(1, :n) AS s(i)",
    "sqlite": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
    "SELECT i FROM s",
}
_AT = {
    "postgresql": "(TIMESTAMPTZ '2098-09-01 08:00:00+00' "
    "+ (i * 100 + {plus}) * INTERVAL '1 second')",
    "sqlite": "datetime('2098-09-01 08:00:00', '+' || (i * 100 + {plus}) || ' seconds')",
}
_HEX = {"postgresql": "lpad(to_hex(i), 64, '0')", "sqlite": "printf('%064x', i)"}
_REGISTRATIONS = """
INSERT INTO registration (course_id, format_id, employer_id, name, email, email_key, workplace,
    phone, status, queue_no, token_hash, created_at, updated_at, confirmed_at, cancelled_at)
SELECT :course_id, :format_id,
    employers.id,
    'Tidigare deltagare ' || i, 'tidigare-' || i || '@kommun.example',
    'tidigare-' || i || '@kommun.example', 'Beroendemottagningen', '0470-123 45',
    CASE WHEN i % 10 = 9 THEN 'cancelled' ELSE 'confirmed' END, 0, {token},
    {created}, {created}, {created}, CASE WHEN i % 10 = 9 THEN {cancelled} END
FROM ({series}) AS numbers
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM employer) AS employers
    ON employers.k = numbers.i % :employers
"""
_MAILS = """
INSERT INTO outbox_mail (registration_id, kind, part, method, payload, message_id, status,
    attempts, available_at, created_at, sent_at)
SELECT id, 'confirmed', 0, 'REQUEST', '{}', '<tidigare-' || id || '@bench.invalid>', 'sent', 1,
    created_at, created_at, created_at
FROM registration WHERE course_id = :course_id
"""


def preload(url: str, n: int) -> None:
    """Write `n` past registrations and their sent confirmations to the warm-up course."""
    asyncio.run(_preload(url, n))


async def _preload(url: str, n: int) -> None:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    engine = create_async_engine(parsed.set(drivername=_DRIVERS[backend]), poolclass=NullPool)
    at = _AT[backend]
    registrations = _REGISTRATIONS.format(
        token=_HEX[backend],
        created=at.format(plus=0),
        cancelled=at.format(plus=3 * 86400),
        series=_SERIES[backend],
    )
    try:
        async with engine.begin() as conn:
            course_id, format_id = (
                await conn.execute(
                    select(course_table.c.id, format_table.c.id)
                    .join(format_table, format_table.c.course_id == course_table.c.id)
                    .where(course_table.c.slug == WARMUP)
                )
            ).one()
            employers = (
                await conn.execute(select(func.count()).select_from(employer_table))
            ).scalar_one()
            values = {
                "course_id": course_id,
                "format_id": format_id,
                "employers": employers,
                "n": n,
            }
            await conn.execute(text(registrations), values | {"n": n})
            await conn.execute(text(_MAILS), {"course_id": course_id})
    finally:
        await engine.dispose()
