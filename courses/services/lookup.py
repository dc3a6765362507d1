"""A registrant's own view of their registration, found by the manage token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from courses.domain.errors import DomainError, RegistrationNotFound
from courses.domain.rules import RegistrationState, RegistrationStatus, check_can_cancel
from courses.services.context import ServiceContext
from courses.services.records import CourseRecord, FormatRecord, load_course
from courses.services.tokens import hash_token
from courses.services.waitlist import waitlist_position
from courses.storage.tables import course_table, employer_table, registration_table

__all__ = ["RegistrationDetails", "get_registration"]


@dataclass(frozen=True, slots=True)
class RegistrationDetails:
    id: int
    status: RegistrationStatus
    waitlist_position: int | None
    name: str
    email: str
    employer_key: str
    employer_name: str
    workplace: str
    phone: str | None
    message: str | None
    created_at: datetime
    cancelled_at: datetime | None
    course: CourseRecord
    course_state: RegistrationState
    format: FormatRecord | None  # None only for a cancelled one whose format was removed
    can_cancel: bool


async def get_registration(ctx: ServiceContext, token: str) -> RegistrationDetails:
    """The registration behind a manage token; RegistrationNotFound for an unknown token."""
    now = ctx.clock.now()
    reg = registration_table.c
    async with ctx.db.read() as conn:
        row = (
            await conn.execute(
                select(
                    registration_table,
                    course_table.c.slug,
                    employer_table.c.key.label("employer_key"),
                    employer_table.c.name.label("employer_name"),
                )
                .join(course_table, course_table.c.id == reg.course_id)
                .join(employer_table, employer_table.c.id == reg.employer_id)
                .where(reg.token_hash == hash_token(token))
            )
        ).first()
        if row is None:
            raise RegistrationNotFound("Anmälan finns inte, eller så är länken ogiltig.")
        course = await load_course(conn, row.slug)
        assert course is not None
        status = RegistrationStatus(row.status)
        position = None
        if status is RegistrationStatus.WAITLISTED:
            position = await waitlist_position(conn, course_id=course.id, queue_no=row.queue_no)
    try:
        check_can_cancel(course.timing, now=now, tz=ctx.tz)
        can_cancel = status is not RegistrationStatus.CANCELLED
    except DomainError:
        can_cancel = False
    return RegistrationDetails(
        id=row.id,
        status=status,
        waitlist_position=position,
        name=row.name,
        email=row.email,
        employer_key=row.employer_key,
        employer_name=row.employer_name,
        workplace=row.workplace,
        phone=row.phone,
        message=row.message,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        course=course,
        course_state=course.state(now=now, tz=ctx.tz),
        format=next((f for f in course.formats if f.id == row.format_id), None),
        can_cancel=can_cancel,
    )
