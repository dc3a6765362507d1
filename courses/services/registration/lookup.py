"""A registrant's own view of their registration, found by the manage token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from courses.domain.courses import CourseRecord, FormatRecord, Registrant
from courses.domain.errors import DomainError, RegistrationNotFound
from courses.domain.rules import (
    ACTIVE_STATUSES,
    RegistrationState,
    RegistrationStatus,
    check_can_cancel,
)
from courses.links import manage_url
from courses.services.context import ServiceContext
from courses.services.seats import fair_seats
from courses.services.tokens import hash_token
from courses.storage import approval, registrations
from courses.storage.attendees import attended_positions
from courses.storage.courses import load_course
from courses.storage.registrations import RegistrationRow

__all__ = ["RegistrationDetails", "get_registration", "registrant"]


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
    registrant: Registrant
    attended: frozenset[int] = frozenset()
    """Sessions (by position) a leader marked the registrant as present at."""
    manager_email: str | None = None
    """The manager who approves, on a course that asks for it."""
    approval_due_at: datetime | None = None
    """While pending: from when it is too late for the manager to answer."""
    approval_ending: str | None = None
    """Cancelled because the manager declined (`declined`) or did not answer in time
    (`approval_expired`)."""
    share_reason: str | None = None
    """Waitlisted because the employer holds its fair-seat share: why, in Swedish."""

    @property
    def attended_every_session(self) -> bool:
        """Confirmed and present at every session: the registrant may open a certificate."""
        positions = self.course.session_positions
        return (
            self.status is RegistrationStatus.CONFIRMED
            and bool(positions)
            and set(positions) <= self.attended
        )


def registrant(row: RegistrationRow, course: CourseRecord, *, link: str | None) -> Registrant:
    """The registration as its mails and calendar files show it (the one place it is made)."""
    return Registrant(
        id=row.id,
        name=row.name,
        email=row.email,
        status=row.status,
        workplace=row.workplace,
        employer=row.employer_name,
        format=course.format_by_id(row.format_id),
        manage_url=link,
    )


async def get_registration(ctx: ServiceContext, token: str) -> RegistrationDetails:
    """The registration behind a manage token; RegistrationNotFound for an unknown token."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        row = await registrations.by_token_hash(conn, hash_token(token))
        if row is None:
            raise RegistrationNotFound("Anmälan finns inte, eller så är länken ogiltig.")
        course = await load_course(conn, row.course_slug)
        assert course is not None
        position = share_reason = None
        if row.status is RegistrationStatus.WAITLISTED:
            position = await registrations.waitlist_position(
                conn, course_id=course.id, queue_no=row.queue_no
            )
            share_reason = await fair_seats.waiting_reason(conn, course, row.id, now=now, tz=ctx.tz)
        attended = (
            await attended_positions(conn, row.id)
            if row.status is RegistrationStatus.CONFIRMED
            else frozenset()
        )
        asked = (await approval.by_ids(conn, [row.id]))[row.id] if course.needs_approval else None
        ending = (
            await approval.ending(conn, row.id)
            if asked is not None and row.status is RegistrationStatus.CANCELLED
            else None
        )
    try:
        check_can_cancel(course.timing, now=now, tz=ctx.tz)
        can_cancel = row.status in ACTIVE_STATUSES
    except DomainError:
        can_cancel = False
    return RegistrationDetails(
        id=row.id,
        status=row.status,
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
        format=course.format_by_id(row.format_id),
        can_cancel=can_cancel,
        registrant=registrant(row, course, link=manage_url(ctx.settings.base_url, token)),
        attended=attended,
        manager_email=asked.manager_email if asked else None,
        approval_due_at=(
            asked.approval_due_at
            if asked and row.status is RegistrationStatus.PENDING_APPROVAL
            else None
        ),
        approval_ending=ending,
        share_reason=share_reason,
    )
