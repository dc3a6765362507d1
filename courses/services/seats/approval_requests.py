"""Asking a manager: what happens in the transaction that gives a seat on a course whose
manager approves (`CourseRecord.needs_approval`).

A registration that gets a seat, at once or by a promotion from the waitlist, holds it as
`pending_approval`; the manager gets a mail with the approval link and the registrant one that
says they wait. This module is called by registering (`courses.services.registration.register`)
and by the promotion (`courses.services.seats.waitlist`); anything else that hands out seats
(a lottery's draw) calls `ask_manager` for each winner in the same way. The answers are
`courses.services.approval.answers`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.approval import approval_period
from courses.domain.courses import CourseRecord
from courses.domain.rules import RegistrationStatus
from courses.services import tokens
from courses.services.notices import notice, queue
from courses.storage import approval
from courses.storage.payloads import ApprovalRequest, AwaitingApproval

__all__ = ["ask_manager", "hold_for_approval"]


async def ask_manager(
    conn: AsyncConnection,
    course: CourseRecord,
    registration_id: int,
    *,
    secret_key: str,
    now: datetime,
    tz: ZoneInfo,
    promoted: bool = False,
    accepted: bool = False,
    drawn: bool = False,
    manager_email: str | None = None,
    tell_registrant: bool = True,
) -> bool:
    """Turn `registration_id`, which has just been given its seat in this transaction
    (confirmed by the enrolment or a promotion, or an applicant the lottery drew: the caller
    took the seat with `courses.storage.seats.counters`), into `pending_approval`, and queue both
    mails: the registrant's `AwaitingApproval` and the manager's `ApprovalRequest`.

    `manager_email` is stored with it when given (a new registration); a promoted one named
    its manager when it registered (`promoted` and `drawn` say how the seat came, for the
    registrant's mail; without `tell_registrant` the caller sends the registrant its own mail,
    as a transfer does). The caller holds the course lock (or the enrolment's
    seat); the status change is conditional, so False means nothing was done.
    """
    assert course.approval_days is not None
    token, nonce = tokens.new_token(secret_key)
    period = approval_period(
        now,
        days=course.approval_days,
        tz=tz,
        course_starts_at=course.timing.first_session_starts_at(tz),
    )
    asked = await approval.ask(
        conn,
        registration_id,
        token_hash=tokens.hash_token(token),
        nonce=nonce,
        period=period,
        manager_email=manager_email,
    )
    if not asked:
        return False
    mails = [notice(registration_id, ApprovalRequest())]
    if tell_registrant:
        mails.insert(
            0,
            notice(
                registration_id, AwaitingApproval(promoted=promoted, accepted=accepted, drawn=drawn)
            ),
        )
    await queue(conn, mails, now=now)
    return True


async def hold_for_approval(
    conn: AsyncConnection,
    course: CourseRecord,
    registration_id: int,
    *,
    confirmed: bool,
    manager_email: str | None,
    secret_key: str,
    now: datetime,
    tz: ZoneInfo,
) -> RegistrationStatus:
    """A new registration on a course whose manager approves, in its enrolment's transaction.

    With a seat (`confirmed`) it becomes pending and the manager is asked now; without one it
    waits on the waitlist with its manager's address kept for the promotion. Returns the
    status it has; the caller mails a waitlisted one as usual.
    """
    if manager_email is None:
        raise ValueError("a course with manager approval needs the manager's address")
    if not confirmed:
        await approval.keep_manager(conn, registration_id, manager_email)
        return RegistrationStatus.WAITLISTED
    asked = await ask_manager(
        conn,
        course,
        registration_id,
        secret_key=secret_key,
        now=now,
        tz=tz,
        manager_email=manager_email,
    )
    assert asked, "the registration was inserted in this transaction"
    return RegistrationStatus.PENDING_APPROVAL
