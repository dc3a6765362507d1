"""Cancelling a registration that holds or waits for a seat, under the course row's lock.

Every way a registration ends before the course (the registrant's link, an admin on their
behalf, the manager's decline, an approval that ran out) ends here, so the mail, the invite
cancellations, the freed seat and the promotion are the same whoever cancels.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.errors import RegistrationNotFound
from courses.domain.fair_seats import HOLDING_STATUSES
from courses.domain.notices import Method, WithdrawnBy
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.manager_notices import manager_told
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage import registrations
from courses.storage.payloads import ApprovalExpired, Cancelled, Declined
from courses.storage.registrations import RegistrationRow
from courses.storage.seats import counters

__all__ = ["active_status", "cancel_locked"]


async def active_status(
    conn: AsyncConnection, found: RegistrationRow, *, cancelled: str
) -> RegistrationStatus:
    """The registration's status, read under the course lock the caller holds (no other
    writer changes it until commit); RegistrationNotFound with `cancelled` once it is."""
    status = await registrations.status_of(conn, found.id)
    if status is RegistrationStatus.TRANSFERRED:
        raise RegistrationNotFound("Platsen är överlåten till en kollega, så anmälan är avslutad.")
    if status is RegistrationStatus.CANCELLED:
        raise RegistrationNotFound(cancelled)
    return status


async def cancel_locked(
    conn: AsyncConnection,
    ctx: ServiceContext,
    found: RegistrationRow,
    course: CourseRecord,
    *,
    status: RegistrationStatus,
    now: datetime,
    payload: Cancelled | Declined | ApprovalExpired | None = None,
    by_staff: bool = False,
) -> list[int]:
    """Cancel an active registration whose `status` was read under the course lock.

    The registrant is mailed (with a CANCEL for each session they had an invite for; the
    `payload` says why, by default they cancelled); a confirmed one's seat, or the seat a
    pending approval or an offer held, is freed and the waitlist promoted (not once the
    course has begun).
    A registration cancelled while it waited for its manager (by the registrant, or by an
    admin: `by_staff`; not by the manager's answer or its expiry) tells the manager too.
    Returns the promoted registrations' ids. The caller checks who may cancel, and when.
    """
    await registrations.set_status(conn, found.id, RegistrationStatus.CANCELLED, now=now)
    was_confirmed = status is RegistrationStatus.CONFIRMED
    invites = course.session_positions if was_confirmed else []
    mail = notice(found.id, payload or Cancelled(), invites=all_sessions(invites, Method.CANCEL))
    by = WithdrawnBy.STAFF if by_staff else WithdrawnBy.REGISTRANT
    manager = (
        []
        if isinstance(payload, Declined | ApprovalExpired)
        else manager_told(found.id, status, by)
    )
    await queue(conn, [mail, *manager], now=now)
    if status not in HOLDING_STATUSES:  # confirmed, pending approval, or offered
        return []
    await counters.release_seat(conn, course_id=found.course_id, format_id=found.format_id)
    return await promote_waitlisted(
        conn, course, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
    )
