"""Enrolling: the registration row, its queue number and, while seats last, its seat, at once.

One contract, two implementations:

- A course and format without caps need no seat and no queue: the registration is inserted
  confirmed by one statement that only share-locks the course row (FOR SHARE on PostgreSQL),
  so registrations for a popular uncapped course do not queue behind each other, while an
  import or a cancellation (which lock the row for update) waits for them.
- Otherwise, SQLite runs three statements (`take_place`, the format's seat, the INSERT). Its
  writers are serialised anyway (an in-process lock and BEGIN IMMEDIATE), so the count costs little.
- PostgreSQL runs one statement with data-modifying CTEs. The course row's lock is what makes
  waitlist order and seat counts exact, and every registration of a course queues on it; doing
  the work in one round trip (plus COMMIT) instead of four is what lets a popular course take
  registrations at the rate of the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    Insert,
    Select,
    bindparam,
    case,
    exists,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.seats import counters
from courses.storage.tables import course_table, format_table, registration_table

__all__ = [
    "INSERT",
    "INSERTED_COLUMNS",
    "ROW_COLUMNS",
    "UNCAPPED",
    "Enrolment",
    "capped_insert",
    "enrol",
    "enrol_stepwise",
    "give_back",
    "insert_registration",
    "inserted",
    "params",
    "row_after_place",
    "row_binds",
    "uncapped_statement",
]

ROW_COLUMNS = (
    "course_id",
    "format_id",
    "employer_id",
    "name",
    "email",
    "email_key",
    "workplace",
    "phone",
    "message",
    "token_hash",
    "token_nonce",
    "created_at",
    "updated_at",
)
"""The registration's own columns, which the caller gives; status, queue number and
confirmation time are decided here."""


@dataclass(frozen=True, slots=True)
class Enrolment:
    registration_id: int
    confirmed: bool
    queue_no: int
    waitlist_position: int | None = None
    """Counted by the enrolling statement itself, where it did (else the caller counts)."""


async def enrol(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
) -> Enrolment | None:
    """Insert a registration: confirmed if the course and the format had a seat, otherwise
    waitlisted. None (nothing written) when the course is no longer published at `revision`.

    A duplicate active registration raises IntegrityError from the unique index.
    """
    if request.course_seats_left is None and request.format_seats_left is None:
        return await _enrol_uncapped(conn, request, revision=revision, row=row, now=now)
    if conn.dialect.name == "postgresql":
        return await _enrol_in_one_statement(conn, request, revision=revision, row=row, now=now)
    made = await enrol_stepwise(conn, request, revision=revision, row=row, now=now)
    return None if made is None else made[0]


async def enrol_stepwise(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
    at_share: Callable[[], Awaitable[bool]] | None = None,
) -> tuple[Enrolment, bool] | None:
    """SQLite's enrolment, one statement at a time: the course's place (which locks the row),
    the format's seat, the INSERT. `at_share`, asked once the row is locked, may keep the
    registrant from a seat (fair seats); the second value is its answer."""
    place = await counters.take_place(conn, request, revision=revision)
    if place is None:
        return None
    blocked = at_share is not None and await at_share()
    confirmed = False
    if place.course_seat:
        if not blocked:
            confirmed = await counters.take_format_seat(conn, request.format_id)
        await give_back(conn, request, course_seat=place.counted, confirmed=confirmed)
    registration_id = await insert_registration(
        conn, row, confirmed=confirmed, queue_no=place.queue_no, now=now
    )
    return Enrolment(registration_id, confirmed, place.queue_no), blocked


async def give_back(
    conn: AsyncConnection, request: counters.SeatRequest, *, course_seat: bool, confirmed: bool
) -> None:
    """The course counted a seat but the format had none (or the share kept it): give it
    back (`course_seat`: the counter took one; an uncapped course's seat was never counted)."""
    if course_seat and not confirmed:
        await counters.release_course_seat(conn, request.course_id)


async def insert_registration(
    conn: AsyncConnection,
    row: Mapping[str, Any],
    *,
    confirmed: bool,
    queue_no: int,
    now: datetime,
) -> int:
    """Write the registration `row` (its `ROW_COLUMNS`) as confirmed or waitlisted; its id."""
    values = inserted(row, confirmed=confirmed, queue_no=queue_no, now=now)
    return int((await conn.execute(INSERT, values)).scalar_one())


def inserted(
    row: Mapping[str, Any], *, confirmed: bool, queue_no: int, now: datetime
) -> dict[str, Any]:
    """The parameters of `INSERT` (`INSERTED_COLUMNS`)."""
    return {
        **row,
        "status": "confirmed" if confirmed else "waitlisted",
        "queue_no": queue_no,
        "confirmed_at": now if confirmed else None,
    }


INSERT = registration_table.insert().returning(registration_table.c.id)
INSERTED_COLUMNS = [*ROW_COLUMNS, "status", "queue_no", "confirmed_at"]


def row_binds() -> list[BindParameter[Any]]:
    # Prefixed: parameters named like the table's columns would turn into a VALUES clause.
    reg = registration_table.c
    return [bindparam(f"r_{name}", type_=reg[name].type) for name in ROW_COLUMNS]


def params(
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """Parameters of the one-statement enrolments (names as in `courses.storage.seats.counters`)."""
    return {
        **{f"r_{name}": value for name, value in row.items()},
        "place_course_id": request.course_id,
        "expected_revision": revision,
        "row_id": request.format_id,
        "now": now,
        **extra,
    }


def uncapped_statement() -> Insert:
    """INSERT INTO registration SELECT … (confirmed) behind a CTE that share-locks the course
    row, if the course and the format are still uncapped at `expected_revision`."""
    course, fmt, reg = course_table.c, format_table.c, registration_table.c
    uncapped = (
        select(course.id)
        .where(course.id == bindparam("place_course_id"))
        .where(course.status == "published")
        .where(course.revision == bindparam("expected_revision"))
        .where(course.seats.is_(None))
        .with_for_update(read=True)  # FOR SHARE; nothing on SQLite, whose writers are serial
        .cte("uncapped")
    )
    source = (
        select(
            *row_binds(),
            literal("confirmed"),
            literal(0),
            bindparam("now", type_=reg.confirmed_at.type),
        )
        .select_from(uncapped)
        .where(exists(select(fmt.id).where(fmt.id == bindparam("row_id"), fmt.seats.is_(None))))
    )
    return insert(registration_table).from_select(INSERTED_COLUMNS, source)


UNCAPPED = uncapped_statement().returning(registration_table.c.id)


async def _enrol_uncapped(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
) -> Enrolment | None:
    """Confirmed without a seat or a queue number, if the course and format are still uncapped
    at `revision`; None (nothing written) otherwise."""
    found = params(request, revision=revision, row=row, now=now)
    registration_id = (await conn.execute(UNCAPPED, found)).scalar_one_or_none()
    if registration_id is None:
        return None
    return Enrolment(int(registration_id), confirmed=True, queue_no=0)


def row_after_place(place: CTE) -> Select[Any]:
    """The registration's row, for INSERT ... SELECT behind a `place` CTE that took the
    course's queue number and, where there was room, its seat (`last_claim_granted`).

    The format's seat is taken only when the course gave one; its UPDATE reads `place`, so the
    course row is locked before the format row, the order every writer keeps.
    """
    seat = (
        counters.take_seat_statement(format_table)
        .where(exists(select(place.c.last_claim_granted).where(place.c.last_claim_granted)))
        .returning(format_table.c.id)
        .cte("seat")
    )
    confirmed = exists(select(seat.c.id))
    reg = registration_table.c
    return select(
        *row_binds(),
        case((confirmed, "confirmed"), else_="waitlisted"),
        place.c.queue_counter,
        case((confirmed, bindparam("now", type_=reg.confirmed_at.type)), else_=None),
    ).select_from(place)


def capped_insert() -> Insert:
    """WITH place AS (UPDATE course ... RETURNING), seat AS (UPDATE course_format ...)
    INSERT INTO registration SELECT ... FROM place RETURNING id, status, queue_no, counted
    (the course's counter took a seat): the enrolment of a capped course in one statement,
    alone here and as a CTE before the mail in `courses.storage.seats.mailed`."""
    place = (
        counters.take_place_statement()
        .returning(
            course_table.c.queue_counter,
            course_table.c.last_claim_granted,
            counters.counted_seat.label("counted"),
        )
        .cte("place")
    )
    reg = registration_table.c
    return (
        insert(registration_table)
        .from_select(INSERTED_COLUMNS, row_after_place(place))
        .returning(
            reg.id,
            reg.status,
            reg.queue_no,
            select(place.c.counted).scalar_subquery().label("counted"),
        )
    )


_ONE_STATEMENT = capped_insert()


async def _enrol_in_one_statement(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
) -> Enrolment | None:
    statement_params = params(request, revision=revision, row=row, now=now)
    found = (await conn.execute(_ONE_STATEMENT, statement_params)).first()
    if found is None:
        return None
    registration_id, status, queue_no, course_seat = found
    confirmed = status == "confirmed"
    await give_back(conn, request, course_seat=course_seat, confirmed=confirmed)
    return Enrolment(int(registration_id), confirmed, int(queue_no))
