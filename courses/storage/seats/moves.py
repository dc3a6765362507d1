"""Moving a registration to another format of its course: the new format's seat is taken by
the same conditional UPDATE as a registration's (`counters.take_format_seat`), so a full format
stays full, and the old one's is given back. The course's own count does not change. The caller
holds the course row's lock, which orders this move with every other writer of the course.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.seats import counters
from courses.storage.tables import registration_table

__all__ = ["move_seat", "set_format"]


async def move_seat(
    conn: AsyncConnection, *, from_format_id: int | None, to_format_id: int
) -> bool:
    """Take a seat in `to_format_id` and give back the one in `from_format_id` (None: the
    format was removed, nothing to give back). False, with nothing changed, when the new
    format is full."""
    if not await counters.take_format_seat(conn, to_format_id):
        return False
    if from_format_id is not None:
        await counters.release_format_seat(conn, from_format_id)
    return True


async def set_format(
    conn: AsyncConnection, registration_id: int, format_id: int, *, now: datetime
) -> None:
    reg = registration_table.c
    await conn.execute(
        update(registration_table)
        .where(reg.id == registration_id)
        .values(format_id=format_id, updated_at=now)
    )
