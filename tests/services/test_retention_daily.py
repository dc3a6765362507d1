"""The worker purges once a day, however many workers run its housekeeping."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from courses.services.audit import audit_log
from courses.services.context import ServiceContext
from courses.services.housekeeping import housekeeping
from courses.services.retention.purge import PURGE_ACTION, daily_purge
from courses.storage.db import Database
from courses.storage.retention_tables import purge_run_table
from tests.services.retention_support import A_YEAR_AFTER_LVM, LVM, STAFF, at, lived_through_lvm


async def _runs(ctx: ServiceContext) -> list[tuple[object, ...]]:
    async with ctx.db.read() as conn:
        found = await conn.execute(
            select(purge_run_table.c.day, purge_run_table.c.purged).order_by(purge_run_table.c.day)
        )
        return [tuple(row) for row in found.all()]


async def test_housekeeping_purges_what_is_due(seeded: ServiceContext) -> None:
    await lived_through_lvm(seeded)

    await housekeeping(at(A_YEAR_AFTER_LVM, seeded))

    (entry,) = await audit_log(seeded, STAFF, action=PURGE_ACTION)
    assert entry.course_slug == LVM
    assert await _runs(seeded) == [(A_YEAR_AFTER_LVM.date(), 3)]


async def test_the_daily_purge_runs_once_a_day_and_again_the_next(seeded: ServiceContext) -> None:
    at(A_YEAR_AFTER_LVM, seeded)
    assert await daily_purge(seeded) is not None

    later_that_day = await daily_purge(at(A_YEAR_AFTER_LVM + timedelta(hours=20), seeded))
    next_day = await daily_purge(at(A_YEAR_AFTER_LVM + timedelta(days=1), seeded))

    assert later_that_day is None
    assert next_day is not None  # control: the claim is per day, not once for ever
    assert [day for day, _ in await _runs(seeded)] == [
        A_YEAR_AFTER_LVM.date(),
        A_YEAR_AFTER_LVM.date() + timedelta(days=1),
    ]


async def test_of_two_workers_at_once_one_runs_the_days_purge(seeded: ServiceContext) -> None:
    await lived_through_lvm(seeded)
    at(A_YEAR_AFTER_LVM, seeded)
    other = Database.from_url(seeded.settings.database_url)
    try:
        reports = await asyncio.gather(daily_purge(seeded), daily_purge(replace(seeded, db=other)))
    finally:
        await other.dispose()

    assert sorted(r is None for r in reports) == [False, True]
    assert len(await audit_log(seeded, STAFF, action=PURGE_ACTION)) == 1


async def test_retention_off_runs_no_daily_purge(seeded: ServiceContext) -> None:
    await lived_through_lvm(seeded)
    off = replace(seeded, settings=replace(seeded.settings, retention_days=0))

    await housekeeping(at(A_YEAR_AFTER_LVM, off))

    assert await _runs(off) == []
    assert await audit_log(off, STAFF, action=PURGE_ACTION) == []
