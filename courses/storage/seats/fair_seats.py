"""The employer share's guard: a count under the course row's lock.

Fair seats (`per_employer`) are guarded by counting, not by a counter. Every writer that can
give an employer a seat (a registration, a promotion, an approval) holds the course row's lock
first, so once this transaction has it, no other transaction can add a held seat of the course
until it commits. On PostgreSQL (READ COMMITTED) each statement takes a new snapshot, so a
count run as its own statement after the lock was taken sees every held seat that committed;
on SQLite writers are serialised. A counter per (course, employer) would be exact as well, but
every status change of every feature (cancel, approve, decline, purge, import) would have to keep
it in step; the count (on `ix_registration_employer`) cannot drift.

The count must never share a statement with the UPDATE that takes the lock: a PostgreSQL
statement's snapshot is taken before it waits for the lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Insert,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.fair_seats import HOLDING_STATUSES
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.storage.seats import counters, enrolment
from courses.storage.tables import course_table, registration_table

__all__ = [
    "FairEnrolment",
    "ShareRequest",
    "enrol_fair",
    "held_by_employer",
    "held_by_own_employer",
    "held_seats",
    "waiting_with_employer",
]

_REG = registration_table.c
_HOLDING = sorted(s.value for s in HOLDING_STATUSES)


@dataclass(frozen=True, slots=True)
class ShareRequest:
    """Whose seat, and how many an employer may hold.

    `held_seen` is never trusted by the guard: it is there so that a test can replace the guard
    with the naive "read, check, write" and prove the race test can fail.
    """

    employer_id: int
    per_employer: int
    held_seen: int | None = None


@dataclass(frozen=True, slots=True)
class FairEnrolment:
    enrolment: enrolment.Enrolment
    at_share: bool
    """The employer already held its share: waitlisted for that reason (seats may be free)."""


def _held(course_id: BindParameter[Any], employer_id: BindParameter[Any]) -> Select[Any]:
    """How many seats one employer holds in one course (confirmed or waiting for approval)."""
    return select(func.count()).where(
        _REG.course_id == course_id, _REG.employer_id == employer_id, _REG.status.in_(_HOLDING)
    )


_HELD = _held(bindparam("course_id"), bindparam("employer_id"))


async def held_seats(conn: AsyncConnection, *, course_id: int, employer_id: int) -> int:
    """The seats the employer holds in the course; exact only under the course row's lock."""
    found = await conn.execute(_HELD, {"course_id": course_id, "employer_id": employer_id})
    return int(found.scalar_one())


async def held_by_employer(conn: AsyncConnection, course_id: int) -> dict[int, int]:
    """Held seats per employer id; exact only under the course row's lock."""
    found = await conn.execute(
        select(_REG.employer_id, func.count())
        .where(_REG.course_id == course_id, _REG.status.in_(_HOLDING))
        .group_by(_REG.employer_id)
    )
    return {int(employer): int(n) for employer, n in found.all()}


async def waiting_with_employer(
    conn: AsyncConnection, course_id: int
) -> list[tuple[int, int | None, int]]:
    """(registration id, format id, employer id) of the waitlist, first in line first."""
    found = await conn.execute(
        select(_REG.id, _REG.format_id, _REG.employer_id)
        .where(_REG.course_id == course_id, _REG.status == RegistrationStatus.WAITLISTED.value)
        .order_by(_REG.queue_no)
    )
    return [(int(id_), format_id, int(employer)) for id_, format_id, employer in found.all()]


async def enrol_fair(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    share: ShareRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
) -> FairEnrolment | None:
    """`enrolment.enrol` for a course whose share applies: confirmed only if the course and
    format have a seat and the employer holds fewer than its share. None (nothing written) when
    the course is no longer published at `revision`."""
    if conn.dialect.name == "postgresql":
        return await _enrol_in_two_statements(
            conn, request, share, revision=revision, row=row, now=now
        )

    async def at_share() -> bool:
        held = await held_seats(conn, course_id=request.course_id, employer_id=share.employer_id)
        return held >= share.per_employer

    made = await enrolment.enrol_stepwise(
        conn, request, revision=revision, row=row, now=now, at_share=at_share
    )
    return None if made is None else FairEnrolment(made[0], at_share=made[1])


_COURSE = course_table.c
_LOCK = select(_COURSE.id).where(_COURSE.id == bindparam("place_course_id")).with_for_update()


def _fair_statement() -> Insert:
    """WITH place AS (UPDATE course: queue number, and a seat if there is room and the
    employer is under its share), seat AS (UPDATE course_format ...) INSERT INTO registration
    ... RETURNING id, status, queue number, whether the course gave a seat, whether the
    employer was at its share, and the waitlist position.

    Run only with the course row locked by an earlier statement, so that this statement's
    snapshot holds every seat that committed before (see the module's docstring).
    """
    held = _held(bindparam("place_course_id"), bindparam("share_employer_id")).scalar_subquery()
    under = held < bindparam("share_cap")
    granted = and_(counters.has_room, under)
    place = (
        update(course_table)
        .where(_COURSE.id == bindparam("place_course_id"))
        .where(_COURSE.status == CourseStatus.PUBLISHED.value)
        .where(_COURSE.revision == bindparam("expected_revision"))
        .values(
            queue_counter=_COURSE.queue_counter + 1,
            confirmed_count=_COURSE.confirmed_count
            + case((and_(_COURSE.seats.is_not(None), granted), 1), else_=0),
            last_claim_granted=case((granted, true()), else_=false()),
        )
        .returning(
            _COURSE.queue_counter,
            _COURSE.last_claim_granted,
            under.label("under"),
            counters.counted_seat.label("counted"),
        )
        .cte("place")
    )
    waiting_before = (
        select(func.count())
        .where(
            _REG.course_id == bindparam("place_course_id"),
            _REG.status == RegistrationStatus.WAITLISTED.value,
            _REG.queue_no < place.c.queue_counter,
        )
        .scalar_subquery()
    )
    return (
        insert(registration_table)
        .from_select(enrolment.INSERTED_COLUMNS, enrolment.row_after_place(place))
        .returning(
            _REG.id,
            _REG.status,
            _REG.queue_no,
            select(place.c.counted).scalar_subquery(),
            select(place.c.under).scalar_subquery(),
            select(waiting_before + 1).select_from(place).scalar_subquery(),
        )
    )


_FAIR = _fair_statement()


async def _enrol_in_two_statements(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    share: ShareRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
) -> FairEnrolment | None:
    """PostgreSQL: lock the course row, then one statement does the rest (the waitlist
    position included): two round trips under the lock rather than five."""
    await conn.execute(_LOCK, {"place_course_id": request.course_id})
    params = enrolment.params(
        request,
        revision=revision,
        row=row,
        now=now,
        share_employer_id=share.employer_id,
        share_cap=share.per_employer,
    )
    found = (await conn.execute(_FAIR, params)).first()
    if found is None:
        return None
    registration_id, status, queue_no, course_seat, under, position = found
    confirmed = status == "confirmed"
    await enrolment.give_back(conn, request, course_seat=course_seat, confirmed=confirmed)
    made = enrolment.Enrolment(
        int(registration_id), confirmed, int(queue_no), None if confirmed else int(position)
    )
    return FairEnrolment(made, at_share=not under)


async def held_by_own_employer(conn: AsyncConnection, registration_id: int) -> int:
    """The seats held in the registration's course by the registration's employer (for
    showing; not a guard)."""
    own = registration_table.alias("own")
    found = await conn.execute(
        select(func.count())
        .select_from(
            registration_table.join(
                own, (own.c.course_id == _REG.course_id) & (own.c.employer_id == _REG.employer_id)
            )
        )
        .where(own.c.id == registration_id, _REG.status.in_(_HOLDING))
    )
    return int(found.scalar_one())
