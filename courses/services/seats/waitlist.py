"""Promotion from the waitlist, inside the transaction of the change that freed the counters."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.notices import Method
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats import fair_seats
from courses.services.seats.approval_requests import ask_manager
from courses.storage import registrations
from courses.storage.payloads import Promoted
from courses.storage.seats import counters

__all__ = ["promote_waitlisted"]


async def promote_waitlisted(
    conn: AsyncConnection, course: CourseRecord, *, now: datetime, tz: ZoneInfo, secret_key: str
) -> list[int]:
    """Fill free seats from the waitlist in queue order; the caller holds the course lock.

    Someone whose format is still full is passed over (they keep their place) and the next in
    line is tried; so is, while the course's fair-seat share lasts, someone whose employer
    holds its share (`courses.services.seats.fair_seats`). Nobody is promoted once the course has
    begun or if it is cancelled. Returns the promoted registrations' ids; each is told by
    mail, with the invites. On a course whose manager approves, a promoted one holds the seat
    as pending and its manager is asked (`ask_manager`, which needs `secret_key` for the
    approval link).
    """
    if course.status is CourseStatus.CANCELLED or course.timing.has_started(now, tz):
        return []
    promoted: list[int] = []
    asked: list[int] = []
    share = await fair_seats.ShareGate.of(conn, course, now=now, tz=tz)
    for registration_id, format_id, employer_id in await share.waiting(conn):
        if format_id is None:
            continue  # its format was removed: it can only be cancelled
        if share.full(employer_id):
            continue
        request = counters.SeatRequest(
            course_id=course.id, format_id=format_id, course_seats_left=None, format_seats_left=None
        )
        claim = await counters.claim_seat(conn, request)
        if claim is counters.Claim.COURSE_FULL:
            break
        if claim is counters.Claim.FORMAT_FULL:
            continue
        await registrations.set_status(conn, registration_id, RegistrationStatus.CONFIRMED, now=now)
        share.took(employer_id)  # a held seat counts in the share, approved or not yet
        # On an approval course their own mails: the seat is held while the manager is asked
        # (someone who registered before the course asked for approval named no manager).
        if course.needs_approval and await ask_manager(
            conn, course, registration_id, secret_key=secret_key, now=now, tz=tz, promoted=True
        ):
            asked.append(registration_id)
            continue
        promoted.append(registration_id)
    invites = all_sessions(course.session_positions, Method.REQUEST)
    await queue(conn, [notice(id_, Promoted(), invites=invites) for id_ in promoted], now=now)
    return sorted(promoted + asked)
