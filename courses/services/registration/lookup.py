"""A registrant's own view of their registration, found by the manage token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatRecord, Registrant
from courses.domain.errors import DomainError, RegistrationNotFound
from courses.domain.offers import OfferOutcome
from courses.domain.rules import (
    ACTIVE_STATUSES,
    CourseStatus,
    RegistrationState,
    RegistrationStatus,
    check_can_cancel,
)
from courses.links import manage_url
from courses.services.context import ServiceContext
from courses.services.seats import fair_seats
from courses.services.tokens import hash_token
from courses.storage import approval, offers, registrations, transfers_read
from courses.storage.attendees import attended_positions
from courses.storage.courses import load_course
from courses.storage.employers import employer_by_key
from courses.storage.offers import OfferRow
from courses.storage.registrations import RegistrationRow

__all__ = ["OfferDetails", "RegistrationDetails", "get_registration", "registrant"]


@dataclass(frozen=True, slots=True)
class OfferDetails:
    """The last seat offered to the registrant from the waitlist, and how it ended."""

    offered_at: datetime
    due_at: datetime | None
    """Until when it may be answered."""
    outcome: OfferOutcome | None
    """None while it is not answered (nor lapsed, nor gone to someone else)."""
    open: bool
    """Offered to everyone waiting at once (the last window before the course): the first to
    accept gets the seat. False: the seat is held for this registrant alone."""
    answerable: bool
    """It may be accepted or declined now."""


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
    offer: OfferDetails | None = None
    """A seat offered from the waitlist (now or before); None if none ever was."""
    transferred_from: str | None = None
    """The name of the colleague whose seat this registration took over."""
    transferred_to: str | None = None
    """`transferred`: the name of the colleague who took over the seat."""
    can_transfer: bool = False
    """A confirmed seat before the course begins: it may be handed to a colleague."""
    employer_domains: tuple[str, ...] = ()
    """With `can_transfer`: the employer's work-mail domains, which the colleague's address
    must have."""

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
        offer_row = await offers.offer_of(conn, row.id)
        handed = await _handed_on(conn, row, offer_row)
        can_transfer = _can_transfer(row, course, now=now, ctx=ctx)
        domains = await _domains(conn, row.employer_key) if can_transfer else ()
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
        offer=_offer(row, course, offer_row, now=now, ctx=ctx),
        transferred_from=handed[0],
        transferred_to=handed[1],
        can_transfer=can_transfer,
        employer_domains=domains,
    )


def _offer(
    row: RegistrationRow,
    course: CourseRecord,
    found: OfferRow,
    *,
    now: datetime,
    ctx: ServiceContext,
) -> OfferDetails | None:
    if found.offered_at is None:
        return None
    status, outcome = row.status, found.outcome
    if status is RegistrationStatus.OFFERED or outcome is OfferOutcome.LAPSED:
        held = True
    elif status is RegistrationStatus.WAITLISTED:
        held = False  # told of a free seat with everyone waiting; or it went to someone else
    else:
        # Answered: an open offer may be answered until the first session begins, a held
        # one only until the last window opens before it.
        first = course.timing.first_session_starts_at(ctx.tz)
        held = found.due_at is not None and first is not None and found.due_at < first
    in_time = found.due_at is not None and now < found.due_at
    answerable = (
        in_time
        and course.status is not CourseStatus.CANCELLED
        and not course.timing.has_started(now, ctx.tz)
        and (
            status is RegistrationStatus.OFFERED
            or (status is RegistrationStatus.WAITLISTED and outcome is None)
        )
    )
    return OfferDetails(
        offered_at=found.offered_at,
        due_at=found.due_at,
        outcome=outcome,
        open=not held,
        answerable=answerable,
    )


async def _handed_on(
    conn: AsyncConnection, row: RegistrationRow, found: OfferRow
) -> tuple[str | None, str | None]:
    """(whose seat this one took over, who took over this one's seat), by name."""
    given_by = (
        await transfers_read.replaces_name(conn, found.replaces_id)
        if found.replaces_id is not None
        else None
    )
    given_to = (
        await transfers_read.replaced_by_name(conn, row.id, course_id=row.course_id)
        if row.status is RegistrationStatus.TRANSFERRED
        else None
    )
    return given_by, given_to


def _can_transfer(
    row: RegistrationRow, course: CourseRecord, *, now: datetime, ctx: ServiceContext
) -> bool:
    """A confirmed seat of a course that goes ahead and has not begun."""
    return (
        row.status is RegistrationStatus.CONFIRMED
        and course.status is not CourseStatus.CANCELLED
        and not course.timing.has_started(now, ctx.tz)
        and course.timing.first_session_starts_at(ctx.tz) is not None
    )


async def _domains(conn: AsyncConnection, employer_key: str) -> tuple[str, ...]:
    employer = await employer_by_key(conn, employer_key)
    return tuple(employer.domains) if employer is not None else ()
