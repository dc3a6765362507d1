"""The worker's round for offers: a held offer not answered in time lapses, its seat goes to
the next person waiting, and the one who let it lapse goes back to the waitlist, last in line.

Each lapse happens under the course row's lock with a conditional UPDATE, so two workers (or
a worker and a late acceptance) act on an offer once. Up to `BATCH` lapses share a transaction:
a round after a busy day (a thousand offers) costs a commit and one read of the courses per
batch, not per offer; the courses stay locked only for the batch's few milliseconds each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.services.context import ServiceContext
from courses.services.seats.offer_seats import lapse_locked
from courses.storage import offers
from courses.storage.courses import load_courses, lock_course

__all__ = ["BATCH", "lapse_due_offers"]

BATCH = 50
"""Due offers lapsed in one transaction."""


async def lapse_due_offers(ctx: ServiceContext) -> int:
    """Let every offer whose time ran out lapse; returns how many did."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        due = await offers.due(conn, now=now)
    # Courses are locked in id order, as an import locks them, so that the two queue rather
    # than deadlock; within a course the offers keep their order (the oldest first).
    due.sort(key=lambda offer: offer[1])
    lapsed = 0
    for start in range(0, len(due), BATCH):
        async with ctx.db.write() as conn:
            lapsed += await _lapse_batch(conn, ctx, due[start : start + BATCH], now=now)
    if lapsed:
        ctx.mail_signal.notify()
    return lapsed


async def _lapse_batch(
    conn: AsyncConnection, ctx: ServiceContext, batch: Sequence[tuple[int, int]], *, now: datetime
) -> int:
    # Each lapse takes its queue number (last in line) with the lock; a cancelled course
    # gives none: its registrations were cancelled with it.
    queue_nos = [
        await lock_course(conn, course_id, take_queue_number=True) for _, course_id in batch
    ]
    open_ids = {
        course_id for (_, course_id), no in zip(batch, queue_nos, strict=True) if no is not None
    }
    courses = {c.id: c for c in await load_courses(conn, ids=open_ids)} if open_ids else {}
    lapsed = 0
    for (registration_id, course_id), queue_no in zip(batch, queue_nos, strict=True):
        if queue_no is None:
            continue
        course = courses[course_id]
        if await lapse_locked(conn, ctx, registration_id, course, queue_no=queue_no, now=now):
            lapsed += 1
    return lapsed
