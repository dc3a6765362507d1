"""The seat guard: conditional UPDATEs on the seat counters.

A course or format with a cap (`seats`) keeps `confirmed_count` equal to its confirmed
registrations; one without a cap does not count (nothing to guard, and not writing the row
keeps registrations for an uncapped course from queueing on its lock). An import that sets or
changes a cap recounts.

`UPDATE ... SET confirmed_count = confirmed_count + 1 WHERE ... confirmed_count < seats
RETURNING id` is one atomic statement on SQLite and PostgreSQL alike, so no two transactions
can take the last seat, whatever they read before. Callers hold the course row's lock (they
touch the course row first in their transaction), which keeps waitlist order and the counters
consistent with the registration rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import (
    ColumnElement,
    Table,
    Update,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.tables import course_table, format_table, registration_table

__all__ = [
    "GIVE_BACK",
    "TAKE",
    "TAKE_PLACE",
    "Claim",
    "Place",
    "SeatRequest",
    "claim_seat",
    "counted_seat",
    "course_full",
    "full_formats",
    "has_room",
    "recount_seats",
    "release_course_seat",
    "release_format_seat",
    "release_seat",
    "take_format_seat",
    "take_place",
    "take_place_statement",
    "take_seat_statement",
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
    """What `take_place` handed out: a queue number and perhaps a course seat."""

    queue_no: int
    course_seat: bool
    counted: bool = False
    """The course seat was counted (the course has a cap): give it back if not used."""


has_room = or_(
    course_table.c.seats.is_(None), course_table.c.confirmed_count < course_table.c.seats
)


def _counted(table: Table, took_seat: ColumnElement[bool]) -> ColumnElement[int]:
    """1 when a seat was taken on a row with a cap: counters are kept only where seats are
    counted (an import recounts when it sets a cap)."""
    return case((and_(table.c.seats.is_not(None), took_seat), 1), else_=0)


def take_place_statement() -> Update:
    """One statement takes the course row's lock, hands out the next queue number and, if the
    course has room, a seat; it matches only a published course at the expected revision."""
    return (
        update(course_table)
        .where(course_table.c.id == bindparam("place_course_id"))
        .where(course_table.c.status == "published")
        .where(course_table.c.revision == bindparam("expected_revision"))
        .values(
            queue_counter=course_table.c.queue_counter + 1,
            confirmed_count=course_table.c.confirmed_count + _counted(course_table, has_room),
            last_claim_granted=case((has_room, true()), else_=false()),
        )
    )


counted_seat = and_(course_table.c.last_claim_granted, course_table.c.seats.is_not(None))
"""In a RETURNING after `take_place_statement`: the course's counter took a seat (which must go
back if the format had none; a seat of an uncapped course was never counted)."""

TAKE_PLACE = take_place_statement().returning(
    course_table.c.queue_counter,
    course_table.c.last_claim_granted,
    counted_seat.label("counted"),
)


async def take_place(conn: AsyncConnection, request: SeatRequest, *, revision: int) -> Place | None:
    """A registration's first write: a queue number and, while the course has room, a seat.

    None when the course is no longer published at `revision` (cancelled, or changed since
    the caller read it). The format's seat is taken next with `take_format_seat`; if that
    fails the course seat goes back.
    """
    params = {"place_course_id": request.course_id, "expected_revision": revision}
    row = (await conn.execute(TAKE_PLACE, params)).first()
    if row is None:
        return None
    return Place(queue_no=int(row[0]), course_seat=bool(row[1]), counted=bool(row[2]))


def take_seat_statement(table: Table) -> Update:
    """`UPDATE table SET confirmed_count + 1 WHERE id = :row_id AND there is room`."""
    c = table.c
    return (
        update(table)
        .where(c.id == bindparam("row_id"))
        .where(or_(c.seats.is_(None), c.confirmed_count < c.seats))
        .values(confirmed_count=c.confirmed_count + _counted(table, true()))
    )


async def take_format_seat(conn: AsyncConnection, format_id: int) -> bool:
    return await _take(conn, format_table, format_id)


async def release_course_seat(conn: AsyncConnection, course_id: int) -> None:
    await _give_back(conn, course_table, course_id)


async def release_format_seat(conn: AsyncConnection, format_id: int) -> None:
    await _give_back(conn, format_table, format_id)


def _give_back_statement(table: Table) -> Update:
    c = table.c
    return (
        update(table)
        .where(c.id == bindparam("row_id"))
        .where(c.seats.is_not(None))
        .values(confirmed_count=c.confirmed_count - 1)
    )


TAKE = {t.name: take_seat_statement(t).returning(t.c.id) for t in (course_table, format_table)}
GIVE_BACK = {t.name: _give_back_statement(t) for t in (course_table, format_table)}


async def _take(conn: AsyncConnection, table: Table, row_id: int) -> bool:
    taken = await conn.execute(TAKE[table.name], {"row_id": row_id})
    return taken.first() is not None


async def _give_back(conn: AsyncConnection, table: Table, row_id: int) -> None:
    await conn.execute(GIVE_BACK[table.name], {"row_id": row_id})


async def claim_seat(conn: AsyncConnection, request: SeatRequest) -> Claim:
    """Take a seat on the course and in the format, or neither."""
    if not await _take(conn, course_table, request.course_id):
        return Claim.COURSE_FULL
    if not await _take(conn, format_table, request.format_id):
        await _give_back(conn, course_table, request.course_id)
        return Claim.FORMAT_FULL
    return Claim.CLAIMED


async def release_seat(conn: AsyncConnection, *, course_id: int, format_id: int | None) -> None:
    """Give back a seat taken by `claim_seat` (a confirmed registration was cancelled)."""
    await _give_back(conn, course_table, course_id)
    if format_id is not None:
        await _give_back(conn, format_table, format_id)


async def recount_seats(conn: AsyncConnection, course_id: int) -> None:
    """Set the course's and its formats' counters from the confirmed registrations.

    For an import that changed the course (perhaps setting a cap where none was counted). The
    caller holds the course row's lock, so no registration of the course is in flight; this
    runs as its own statement so that, on PostgreSQL, it sees every one that committed.
    """
    reg = registration_table.c
    counted = (
        (course_table, course_table.c.id == course_id, reg.course_id),
        (format_table, format_table.c.course_id == course_id, reg.format_id),
    )
    for table, rows, owner in counted:
        # A registration waiting for its manager's approval, or offered a seat, holds it.
        confirmed = select(func.count()).where(
            owner == table.c.id, reg.status.in_(["confirmed", "pending_approval", "offered"])
        )
        await conn.execute(
            update(table).where(rows).values(confirmed_count=confirmed.scalar_subquery())
        )


async def course_full(conn: AsyncConnection, course_id: int) -> bool:
    """Every seat of the capped course is held (read under the caller's course lock)."""
    course = course_table.c
    found = await conn.execute(
        select(course.seats.is_not(None) & (course.confirmed_count >= course.seats)).where(
            course.id == course_id
        )
    )
    return bool(found.scalar_one())


async def full_formats(conn: AsyncConnection, course_id: int) -> set[int]:
    """The course's capped formats whose every seat is held."""
    fmt = format_table.c
    found = await conn.execute(
        select(fmt.id).where(
            fmt.course_id == course_id, fmt.seats.is_not(None), fmt.confirmed_count >= fmt.seats
        )
    )
    return {int(id_) for (id_,) in found.all()}
