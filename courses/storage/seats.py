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

from sqlalchemy import or_, update
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


async def claim_seat(conn: AsyncConnection, request: SeatRequest) -> Claim:
    """Take a seat on the course and in the format, or neither."""
    course = course_table.c
    taken = await conn.execute(
        update(course_table)
        .where(course.id == request.course_id)
        .where(or_(course.seats.is_(None), course.confirmed_count < course.seats))
        .values(confirmed_count=course.confirmed_count + 1)
        .returning(course.id)
    )
    if taken.first() is None:
        return Claim.COURSE_FULL
    fmt = format_table.c
    taken = await conn.execute(
        update(format_table)
        .where(fmt.id == request.format_id)
        .where(or_(fmt.seats.is_(None), fmt.confirmed_count < fmt.seats))
        .values(confirmed_count=fmt.confirmed_count + 1)
        .returning(fmt.id)
    )
    if taken.first() is None:
        await conn.execute(
            update(course_table)
            .where(course.id == request.course_id)
            .values(confirmed_count=course.confirmed_count - 1)
        )
        return Claim.FORMAT_FULL
    return Claim.CLAIMED


async def release_seat(conn: AsyncConnection, *, course_id: int, format_id: int) -> None:
    """Give back a seat taken by `claim_seat` (a confirmed registration was cancelled)."""
    course = course_table.c
    fmt = format_table.c
    await conn.execute(
        update(course_table)
        .where(course.id == course_id)
        .values(confirmed_count=course.confirmed_count - 1)
    )
    await conn.execute(
        update(format_table)
        .where(fmt.id == format_id)
        .values(confirmed_count=fmt.confirmed_count - 1)
    )
