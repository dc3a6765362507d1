"""Gallring of a course with offers and a seat handed on (SQLite and PostgreSQL): the offered
and transferred registrations are purged like every other, the offer's times and outcome and
the link between a transfer's two rows stay (they name nobody), and so do the counts."""

from __future__ import annotations

from sqlalchemy import select

from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from courses.services.retention.purge import purge
from courses.services.statistics import statistics
from courses.storage.retention import PURGED_NAME
from courses.storage.tables import registration_table
from tests.conftest import local
from tests.services.offer_support import colleague, offering_asi
from tests.services.retention_support import STAFF, at, personal_data_left

_REG = registration_table.c
# ASI's last session is 4 May 2023: a year and a few days later.
AFTER_ASI = local(2024, 5, 10, 3, 0)


async def _rows(ctx: ServiceContext) -> list[tuple[object, ...]]:
    async with ctx.db.read() as conn:
        found = await conn.execute(
            select(
                _REG.id,
                _REG.status,
                _REG.replaces_id,
                _REG.offered_at,
                _REG.offer_due_at,
                _REG.offer_outcome,
            ).order_by(_REG.id)
        )
        return [tuple(row) for row in found.all()]


async def test_offered_and_transferred_rows_are_purged_and_their_links_stay(
    seeded: ServiceContext,
) -> None:
    seated, queued = await offering_asi(seeded, waiting=1)
    await cancel_registration(seeded, seated[0].token)  # Deltagare 5 is offered the seat
    handed = await transfer_registration(seeded, seated[1].token, colleague())
    needles = ["Deltagare 2", "deltagare2@", "Deltagare 5", "Kollega 9", "kollega9@"]
    async with seeded.db.read() as conn:
        assert await personal_data_left(conn, needles) != []  # control: they are there
    rows_before = await _rows(seeded)
    stats_before = await statistics(seeded, STAFF)

    await purge(at(AFTER_ASI, seeded))

    async with seeded.db.read() as conn:
        assert await personal_data_left(conn, needles) == []
        names = (
            await conn.execute(
                select(_REG.name).where(
                    _REG.id.in_([queued[0].id, seated[1].id, handed.registration_id])
                )
            )
        ).scalars()
        assert set(names) == {PURGED_NAME}
    rows_after = await _rows(seeded)
    assert rows_after == rows_before
    statuses = {row[0]: row[1] for row in rows_after}
    assert (statuses[queued[0].id], statuses[seated[1].id]) == ("offered", "transferred")
    assert {row[0]: row[2] for row in rows_after}[handed.registration_id] == seated[1].id
    assert await statistics(seeded, STAFF) == stats_before
