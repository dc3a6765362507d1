"""Handing a seat to a colleague in SQL: the giver's row leaves its seat as `transferred` and a
new row, for the colleague, takes over its course, format, employer and place in the queue.
The seat counters do not move (`courses.services.registration.transfer`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import RegistrationStatus
from courses.storage.tables import registration_table

__all__ = ["hand_over"]

_REG = registration_table.c


async def hand_over(
    conn: AsyncConnection,
    giver_id: int,
    colleague: dict[str, Any],
    *,
    status: RegistrationStatus,
    now: datetime,
) -> int | None:
    """The giver's confirmed registration → `transferred`, and the colleague's registration
    (`colleague`: name, email, email key, workplace, phone, token hash and nonce) in its place
    with `status`. None when the giver's registration was no longer confirmed (the caller
    holds the course lock). A colleague already active on the course raises IntegrityError."""
    left = await conn.execute(
        update(registration_table)
        .where(_REG.id == giver_id, _REG.status == RegistrationStatus.CONFIRMED.value)
        .values(status=RegistrationStatus.TRANSFERRED.value, cancelled_at=now, updated_at=now)
        .returning(_REG.id)
    )
    if left.first() is None:
        return None
    confirmed_at = now if status is RegistrationStatus.CONFIRMED else None
    own = {
        **colleague,
        "status": status.value,
        "confirmed_at": confirmed_at,
        "replaces_id": giver_id,
        "created_at": now,
        "updated_at": now,
    }
    names = ["course_id", "format_id", "employer_id", "queue_no", *own]
    taken_over = select(
        _REG.course_id,
        _REG.format_id,
        _REG.employer_id,
        _REG.queue_no,
        *(literal(value, type_=registration_table.c[key].type) for key, value in own.items()),
    ).where(_REG.id == giver_id)
    found = await conn.execute(
        insert(registration_table).from_select(names, taken_over).returning(_REG.id)
    )
    return int(found.scalar_one())
