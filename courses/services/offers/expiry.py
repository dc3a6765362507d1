"""The worker's round for offers: a held offer not answered in time lapses, its seat goes to
the next person waiting, and the one who let it lapse goes back to the waitlist, last in line.

Each lapse is its own transaction under the course row's lock and a conditional UPDATE, so two
workers (or a worker and a late acceptance) act on an offer once.
"""

from __future__ import annotations

from courses.services.context import ServiceContext
from courses.services.seats.offer_seats import lapse_locked
from courses.storage import offers
from courses.storage.courses import load_courses, lock_course

__all__ = ["lapse_due_offers"]


async def lapse_due_offers(ctx: ServiceContext) -> int:
    """Let every offer whose time ran out lapse; returns how many did."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        due = await offers.due(conn, now=now)
    lapsed = 0
    for registration_id, course_id in due:
        async with ctx.db.write() as conn:
            queue_no = await lock_course(conn, course_id, take_queue_number=True)
            if queue_no is None:
                continue  # cancelled: its registrations were cancelled with it
            (course,) = await load_courses(conn, ids=[course_id])
            if await lapse_locked(conn, ctx, registration_id, course, queue_no=queue_no, now=now):
                lapsed += 1
    if lapsed:
        ctx.mail_signal.notify()
    return lapsed
