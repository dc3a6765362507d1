"""Cancelling a registration: by the registrant with the manage token, or by an admin on their
behalf (`courses.services.registration.on_behalf`). Both go through `cancel_locked`, so the mail,
the invite cancellations, the freed seat and the promotion are the same."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.errors import RegistrationNotFound
from courses.domain.notices import Method, WithdrawnBy
from courses.domain.rules import RegistrationStatus, check_can_cancel
from courses.services import tokens
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.manager_notices import manager_told
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage import registrations
from courses.storage.courses import load_course, lock_course
from courses.storage.payloads import ApprovalExpired, Cancelled, Declined
from courses.storage.registrations import RegistrationRow
from courses.storage.seats import counters

__all__ = ["cancel_locked", "cancel_registration"]


async def cancel_registration(ctx: ServiceContext, token: str) -> list[int]:
    """Cancel by the manage token until the first session starts; promote from the waitlist.

    Returns the ids of the registrations promoted to confirmed. Raises RegistrationNotFound
    (unknown or already cancelled) or RegistrationClosed (the course has begun).
    """
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = await registrations.by_token_hash(conn, tokens.hash_token(token))
        if found is None:
            raise RegistrationNotFound("Anmälan finns inte, eller så är länken redan använd.")
        await lock_course(conn, found.course_id)
        # Status is read after the course lock: no other writer changes it until we commit.
        status = await registrations.status_of(conn, found.id)
        if status is RegistrationStatus.CANCELLED:
            raise RegistrationNotFound("Anmälan är redan avanmäld.")
        course = await load_course(conn, found.course_slug)
        assert course is not None
        check_can_cancel(course.timing, now=now, tz=ctx.tz)
        promoted = await cancel_locked(
            conn,
            found,
            course,
            status=status,
            now=now,
            tz=ctx.tz,
            secret_key=ctx.settings.secret_key,
        )
    ctx.mail_signal.notify()
    return promoted


async def cancel_locked(
    conn: AsyncConnection,
    found: RegistrationRow,
    course: CourseRecord,
    *,
    status: RegistrationStatus,
    now: datetime,
    tz: ZoneInfo,
    secret_key: str,
    payload: Cancelled | Declined | ApprovalExpired | None = None,
    by_staff: bool = False,
) -> list[int]:
    """Cancel an active registration whose `status` was read under the course lock.

    The registrant is mailed (with a CANCEL for each session they had an invite for; the
    `payload` says why, by default they cancelled); a confirmed one's seat, or the seat a
    pending approval held, is freed and the waitlist promoted (not once the course has begun).
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
    if not (was_confirmed or status is RegistrationStatus.PENDING_APPROVAL):
        return []
    await counters.release_seat(conn, course_id=found.course_id, format_id=found.format_id)
    return await promote_waitlisted(conn, course, now=now, tz=tz, secret_key=secret_key)
