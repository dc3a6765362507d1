"""The seat guard: conditional UPDATEs on the seat counters.

`UPDATE ... SET confirmed_count = confirmed_count + 1 WHERE ... confirmed_count < seats
RETURNING id` is one atomic statement on SQLite and PostgreSQL alike, so no two transactions
can take the last seat, whatever they read before. Callers hold the course row's lock (they
touch the course row first in their transaction), which keeps waitlist order and the counters
consistent with the registration rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Table, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.tables import course_table, format_table

__all__ = ["Claim", "SeatRequest", "claim_seat", "release_seat"]


class Claim(Enum):
    CLAIMED = "claimed"
    COURSE_FULL = "course_full"
    FORMAT_FULL = "format_full"


@dataclass(frozen=True, slots=True)
class SeatRequest:
    """Which seat to take, and what the caller saw before its transaction began.

    The guard itself never trusts the `*_seats_left` snapshot: it is there so that a test can
    replace the guard with the naive "read, check, write" and prove the race tests can fail.
    """

    course_id: int
    format_id: int
    course_seats_left: int | None
    format_seats_left: int | None


async def _take(conn: AsyncConnection, table: Table, row_id: int) -> bool:
    c = table.c
    taken = await conn.execute(
        update(table)
        .where(c.id == row_id)
        .where(or_(c.seats.is_(None), c.confirmed_count < c.seats))
        .values(confirmed_count=c.confirmed_count + 1)
        .returning(c.id)
    )
    return taken.first() is not None


async def _give_back(conn: AsyncConnection, table: Table, row_id: int) -> None:
    c = table.c
    await conn.execute(
        update(table).where(c.id == row_id).values(confirmed_count=c.confirmed_count - 1)
    )


async def claim_seat(conn: AsyncConnection, request: SeatRequest) -> Claim:
    """Take a seat on the course and in the format, or neither."""
    if not await _take(conn, course_table, request.course_id):
        return Claim.COURSE_FULL
    if not await _take(conn, format_table, request.format_id):
        await _give_back(conn, course_table, request.course_id)
        return Claim.FORMAT_FULL
    return Claim.CLAIMED


async def release_seat(conn: AsyncConnection, *, course_id: int, format_id: int) -> None:
    """Give back a seat taken by `claim_seat` (a confirmed registration was cancelled)."""
    await _give_back(conn, course_table, course_id)
    await _give_back(conn, format_table, format_id)
