"""Manager approval's use cases: what the manager's page shows, approving, declining, and the
worker's round of reminders and expiries.

A registration on a course with `approval = "manager"` holds its seat as `pending_approval`
(asked by `courses.services.seats.approval_requests`). Every way out of that status is one
conditional UPDATE on it (`courses.storage.approval`), so of a double click, two workers, or
an approval racing the expiry, exactly one acts. Declining and running out of time cancel
through `cancel_locked`, which frees the seat and promotes the next on the waitlist (who, on
this course, is then waiting for their own manager).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.approval import ApprovalAnswered, last_answer_day
from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.errors import RegistrationNotFound
from courses.domain.notices import Method
from courses.domain.rules import CourseStatus, RegistrationStatus, swedish_date
from courses.services import tokens
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.release import cancel_locked
from courses.storage import approval, registrations
from courses.storage.courses import load_course, lock_course
from courses.storage.payloads import ApprovalExpired, ApprovalReminder, Approved, Declined

__all__ = [
    "ApprovalView",
    "approval_round",
    "approval_view",
    "approve",
    "decline",
    "expire_due",
    "remind_due",
]

_COURSE_CANCELLED = "Kursen är inställd, så anmälan behöver inget svar."
_UNKNOWN = "Länken är okänd. Kontrollera att du har kopierat hela länken ur mejlet."


@dataclass(frozen=True, slots=True)
class ApprovalView:
    """What the manager sees: who, which course and when, and whether they may still answer."""

    status: RegistrationStatus
    name: str
    email: str
    employer: str
    workplace: str
    course: CourseRecord
    format: FormatRecord | None
    due_at: datetime | None
    last_day: str | None
    """`9 september 2022`: the last day to answer, while one may."""
    withdrawn: bool = False
    """Cancelled by the registrant or an admin while it waited: the manager was told so."""

    @property
    def course_cancelled(self) -> bool:
        return self.course.status is CourseStatus.CANCELLED

    @property
    def open(self) -> bool:
        return (
            self.status is RegistrationStatus.PENDING_APPROVAL
            and self.last_day is not None
            and not self.course_cancelled
        )


async def approval_view(ctx: ServiceContext, token: str) -> ApprovalView:
    """The registration behind an approval link; raises RegistrationNotFound for an unknown
    one (a purged registration's link is unknown too)."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        found = await approval.by_token_hash(conn, tokens.hash_token(token))
        if found is None:
            raise RegistrationNotFound(_UNKNOWN)
        row = (await registrations.by_ids(conn, [found.id]))[found.id]
        course = await load_course(conn, row.course_slug)
        withdrawn = found.status is RegistrationStatus.CANCELLED and (
            await approval.manager_told_withdrawn(conn, found.id)
        )
    assert course is not None
    due = found.approval_due_at
    in_time = found.status is RegistrationStatus.PENDING_APPROVAL and due is not None and now < due
    return ApprovalView(
        status=found.status,
        name=row.name,
        email=row.email,
        employer=row.employer_name,
        workplace=row.workplace,
        course=course,
        format=course.format_by_id(row.format_id),
        due_at=due,
        last_day=swedish_date(last_answer_day(due, ctx.tz)) if in_time and due else None,
        withdrawn=withdrawn,
    )


async def approve(ctx: ServiceContext, token: str) -> ApprovalView:
    """The manager approves: the registration is confirmed and its registrant gets the
    confirmation with the calendar invites. Raises RegistrationNotFound (unknown link) or
    ApprovalAnswered (already answered, cancelled or out of time: nothing changes)."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = await approval.by_token_hash(conn, tokens.hash_token(token))
        if found is None:
            raise RegistrationNotFound(_UNKNOWN)
        course = await _course_of(conn, found.id)
        if course.status is CourseStatus.CANCELLED:
            raise ApprovalAnswered(_COURSE_CANCELLED)
        if not await approval.confirm(conn, found.id, now=now):
            raise ApprovalAnswered(_answered(found.status))
        invites = all_sessions(course.session_positions, Method.REQUEST)
        await queue(conn, [notice(found.id, Approved(), invites=invites)], now=now)
    ctx.mail_signal.notify()
    return await approval_view(ctx, token)


async def decline(ctx: ServiceContext, token: str) -> ApprovalView:
    """The manager declines: cancelled, the registrant told, the seat freed and the next on
    the waitlist promoted. Raises like `approve`."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = await approval.by_token_hash(conn, tokens.hash_token(token))
        if found is None:
            raise RegistrationNotFound(_UNKNOWN)
        await lock_course(conn, found.course_id)
        if not await _cancel_pending(conn, found.id, payload=Declined(), ctx=ctx, now=now):
            raise ApprovalAnswered(_answered(found.status))
    ctx.mail_signal.notify()
    return await approval_view(ctx, token)


def _answered(status: RegistrationStatus) -> str:
    if status is RegistrationStatus.CONFIRMED:
        return "Anmälan är redan godkänd."
    if status is RegistrationStatus.CANCELLED:
        return "Anmälan är inte längre aktuell: den är avslagen eller avanmäld."
    return "Tiden för att svara har gått ut, och anmälan har tagits bort."


async def _course_of(conn: AsyncConnection, registration_id: int) -> CourseRecord:
    row = (await registrations.by_ids(conn, [registration_id]))[registration_id]
    course = await load_course(conn, row.course_slug)
    assert course is not None
    return course


async def _cancel_pending(
    conn: AsyncConnection,
    registration_id: int,
    *,
    payload: Declined | ApprovalExpired,
    ctx: ServiceContext,
    now: datetime,
) -> bool:
    """Pending → cancelled once (the caller holds the course lock), then the cancellation's
    mail, freed seat and promotion. False when it was no longer pending."""
    if not await approval.leave_pending(conn, registration_id, now=now):
        return False
    row = (await registrations.by_ids(conn, [registration_id]))[registration_id]
    course = await load_course(conn, row.course_slug)
    assert course is not None
    if course.status is CourseStatus.CANCELLED:
        return True  # they were told the course is cancelled; no seat to give on
    await cancel_locked(
        conn, ctx, row, course, status=RegistrationStatus.PENDING_APPROVAL, now=now, payload=payload
    )
    return True


async def remind_due(ctx: ServiceContext) -> int:
    """Queue the reminder to each manager half-way through their period; once each."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        due = await approval.due_reminders(conn, now=now)
    queued = 0
    for registration_id in due:
        async with ctx.db.write() as conn:
            if await approval.mark_reminded(conn, registration_id, now=now):
                await queue(conn, [notice(registration_id, ApprovalReminder())], now=now)
                queued += 1
    return queued


async def expire_due(ctx: ServiceContext) -> int:
    """Cancel the registrations whose manager did not answer in time; each registrant is
    told, the seat freed and the next promoted. Returns how many."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        due = await approval.expired(conn, now=now)
    done = 0
    for registration_id, course_id in due:
        async with ctx.db.write() as conn:
            await lock_course(conn, course_id)
            if await _cancel_pending(
                conn, registration_id, payload=ApprovalExpired(), ctx=ctx, now=now
            ):
                done += 1
    return done


async def approval_round(ctx: ServiceContext) -> int:
    """The worker's round (`courses.services.housekeeping`): expiries, then reminders.
    Returns how many mails-worth of changes it made."""
    changed = await expire_due(ctx) + await remind_due(ctx)
    if changed:
        ctx.mail_signal.notify()
    return changed
