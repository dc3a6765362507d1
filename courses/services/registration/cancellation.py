"""Cancelling a registration by the registrant, with the manage token. The seat kernel's
`cancel_locked` does the rest, as it does for an admin acting on someone's behalf."""

from __future__ import annotations

from courses.domain.errors import RegistrationNotFound
from courses.domain.rules import check_can_cancel
from courses.services import tokens
from courses.services.context import ServiceContext
from courses.services.seats.release import active_status, cancel_locked
from courses.storage import registrations
from courses.storage.courses import load_course, lock_course

__all__ = ["cancel_registration"]


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
        status = await active_status(conn, found, cancelled="Anmälan är redan avanmäld.")
        course = await load_course(conn, found.course_slug)
        assert course is not None
        check_can_cancel(course.timing, now=now, tz=ctx.tz)
        promoted = await cancel_locked(conn, ctx, found, course, status=status, now=now)
    ctx.mail_signal.notify()
    return promoted
