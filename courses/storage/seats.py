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

from sqlalchemy import Table, Update, bindparam, case, false, or_, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.tables import course_table, format_table

__all__ = [
    "Claim",
    "Place",
    "SeatRequest",
    "claim_seat",
    "release_course_seat",
    "release_seat",
    "take_format_seat",
    "take_place",
]


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


@dataclass(frozen=True, slots=True)
class Place:
    """What `take_place` handed out: a queue number, perhaps a course seat, and the course's
    revision at that moment (so a caller can tell if its cached definition is stale)."""

    queue_no: int
    course_seat: bool
    revision: int


_has_room = or_(
    course_table.c.seats.is_(None), course_table.c.confirmed_count < course_table.c.seats
)

# Built once: a registration runs it every time. One statement takes the course row's lock,
# hands out the next queue number and, if the course has room, a seat.
_TAKE_PLACE = (
    update(course_table)
    .where(course_table.c.id == bindparam("course_id"))
    .where(course_table.c.status == "published")
    .values(
        queue_counter=course_table.c.queue_counter + 1,
        confirmed_count=course_table.c.confirmed_count + case((_has_room, 1), else_=0),
        last_claim_granted=case((_has_room, true()), else_=false()),
    )
    .returning(
        course_table.c.queue_counter,
        course_table.c.last_claim_granted,
        course_table.c.revision,
    )
)


async def take_place(conn: AsyncConnection, request: SeatRequest) -> Place | None:
    """A registration's first write: a queue number and, while the course has room, a seat.

    None when the course is not (or no longer) published. The format's seat is taken next
    with `take_format_seat`; if that fails the course seat goes back.
    """
    row = (await conn.execute(_TAKE_PLACE, {"course_id": request.course_id})).first()
    if row is None:
        return None
    return Place(queue_no=int(row[0]), course_seat=bool(row[1]), revision=int(row[2]))


async def take_format_seat(conn: AsyncConnection, format_id: int) -> bool:
    return await _take(conn, format_table, format_id)


async def release_course_seat(conn: AsyncConnection, course_id: int) -> None:
    await _give_back(conn, course_table, course_id)


def _take_statement(table: Table) -> Update:
    c = table.c
    return (
        update(table)
        .where(c.id == bindparam("row_id"))
        .where(or_(c.seats.is_(None), c.confirmed_count < c.seats))
        .values(confirmed_count=c.confirmed_count + 1)
        .returning(c.id)
    )


def _give_back_statement(table: Table) -> Update:
    c = table.c
    return (
        update(table)
        .where(c.id == bindparam("row_id"))
        .values(confirmed_count=c.confirmed_count - 1)
    )


_TAKE = {t.name: _take_statement(t) for t in (course_table, format_table)}
_GIVE_BACK = {t.name: _give_back_statement(t) for t in (course_table, format_table)}


async def _take(conn: AsyncConnection, table: Table, row_id: int) -> bool:
    taken = await conn.execute(_TAKE[table.name], {"row_id": row_id})
    return taken.first() is not None


async def _give_back(conn: AsyncConnection, table: Table, row_id: int) -> None:
    await conn.execute(_GIVE_BACK[table.name], {"row_id": row_id})


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
