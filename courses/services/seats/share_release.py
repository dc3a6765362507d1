"""When a fair-seat share ends, its free seats go to the waitlist (the worker's job)."""

from __future__ import annotations

import logging

from courses.services.context import ServiceContext
from courses.services.seats.fair_seats import active
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage.courses import load_courses, lock_course
from courses.storage.seats import share_ends

__all__ = ["release_ended_shares"]

log = logging.getLogger(__name__)


async def release_ended_shares(ctx: ServiceContext) -> int:
    """Hand the free seats of every course whose share has ended to its waitlist, in queue
    order whatever the employer; each promoted registrant is mailed with their invites.

    Run by the worker's housekeeping. Each course is its own transaction under its lock, and is
    marked released for that share's last day, so a second worker (or round) does nothing more.
    Returns how many registrations were promoted.
    """
    now = ctx.clock.now()
    today = now.astimezone(ctx.tz).date()
    async with ctx.db.read() as conn:
        ids = await share_ends.courses_with_share_ended(conn, today=today)
    promoted = 0
    for course_id in ids:
        async with ctx.db.write() as conn:
            await lock_course(conn, course_id)
            found = await load_courses(conn, ids=[course_id])
            if not found or active(found[0], now=now, tz=ctx.tz) is not None:
                continue
            promoted += len(
                await promote_waitlisted(
                    conn, found[0], now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
                )
            )
            await share_ends.mark_released(conn, course_id)
    if promoted:
        log.info("fair seats: the shares that ended gave %d seats to their waitlists", promoted)
        ctx.mail_signal.notify()
    return promoted
