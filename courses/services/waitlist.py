"""The course lock, the waitlist queue and promotion from it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.notices import MailKind, Method, all_sessions, notice, queue
from courses.services.records import CourseRecord
from courses.storage import seats
from courses.storage.tables import course_table, registration_table

__all__ = ["lock_course", "promote_waitlisted", "waitlist_position"]


async def lock_course(
    conn: AsyncConnection, course_id: int, *, take_queue_number: bool = False
) -> int | None:
    """Write the course row first, so that writers of one course queue on its lock.

    With `take_queue_number` the course's queue counter is bumped and the new number returned
    (None if the course is cancelled); the number orders the waitlist. Otherwise the row is
    just locked and its current counter returned (None if there is no such course).
    """
    course = course_table.c
    statement = update(course_table).where(course.id == course_id)
    if take_queue_number:
        statement = statement.where(course.status == CourseStatus.PUBLISHED.value).values(
            queue_counter=course.queue_counter + 1
        )
    else:
        statement = statement.values(queue_counter=course.queue_counter)
    row = (await conn.execute(statement.returning(course.queue_counter))).first()
    return None if row is None else int(row[0])


_POSITION = select(func.count()).where(
    registration_table.c.course_id == bindparam("course_id"),
    registration_table.c.status == RegistrationStatus.WAITLISTED.value,
    registration_table.c.queue_no <= bindparam("queue_no"),
)


async def waitlist_position(conn: AsyncConnection, *, course_id: int, queue_no: int) -> int:
    """1 for the first in the queue; counts only those still waiting."""
    result = await conn.execute(_POSITION, {"course_id": course_id, "queue_no": queue_no})
    return int(result.scalar_one())


async def promote_waitlisted(
    conn: AsyncConnection, course: CourseRecord, *, now: datetime, tz: ZoneInfo
) -> list[int]:
    """Fill free seats from the waitlist in queue order; the caller holds the course lock.

    Someone whose format is still full is passed over (they keep their place) and the next in
    line is tried. Nobody is promoted once the course has begun or if it is cancelled.
    Returns the promoted registrations' ids.
    """
    if course.status is CourseStatus.CANCELLED or course.timing.has_started(now, tz):
        return []
    reg = registration_table.c
    waiting = await conn.execute(
        select(reg.id, reg.format_id)
        .where(reg.course_id == course.id, reg.status == RegistrationStatus.WAITLISTED.value)
        .order_by(reg.queue_no)
    )
    promoted: list[int] = []
    for registration_id, format_id in waiting.all():
        request = seats.SeatRequest(
            course_id=course.id, format_id=format_id, course_seats_left=None, format_seats_left=None
        )
        claim = await seats.claim_seat(conn, request)
        if claim is seats.Claim.COURSE_FULL:
            break
        if claim is seats.Claim.FORMAT_FULL:
            continue
        await conn.execute(
            update(registration_table)
            .where(reg.id == registration_id)
            .values(status=RegistrationStatus.CONFIRMED.value, confirmed_at=now, updated_at=now)
        )
        promoted.append(registration_id)
    positions = [s.position for s in course.sessions]
    await queue(
        conn,
        [
            notice(MailKind.PROMOTED, id_, invites=all_sessions(positions, Method.REQUEST))
            for id_ in promoted
        ],
        now=now,
    )
    return promoted
