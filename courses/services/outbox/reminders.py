"""The reminder before a course's first session: queued once per confirmed registration."""

from __future__ import annotations

from datetime import UTC, timedelta

from courses.domain.rules import CourseStatus
from courses.services.context import ServiceContext
from courses.services.notices import notice, queue
from courses.storage import registrations
from courses.storage.courses import course_ids_with_sessions_between, load_courses
from courses.storage.payloads import Reminder

__all__ = ["queue_reminders"]


async def queue_reminders(ctx: ServiceContext) -> int:
    """Queue the reminders that are due now; returns how many. Housekeeping calls this.

    Due: the first session starts within `reminder_days` and has not started. Someone
    confirmed after the reminder time got their confirmation then and gets no reminder. The
    conditional UPDATE of `reminded_at` makes every reminder go once, whatever runs this.
    """
    days = ctx.settings.reminder_days
    if days <= 0:
        return 0
    now = ctx.clock.now()
    today = now.astimezone(ctx.tz).date()
    async with ctx.db.read() as conn:
        # Only courses with a session from today to just past the reminder horizon.
        upcoming = await course_ids_with_sessions_between(
            conn, today, today + timedelta(days=days + 1)
        )
        courses = await load_courses(conn, ids=upcoming) if upcoming else []
    due = []
    for course in courses:
        starts = course.timing.first_session_starts_at(ctx.tz)
        if course.status is CourseStatus.CANCELLED or starts is None:
            continue
        # Whole days on the local calendar: the same wall-clock time, across a clock change.
        remind_from = (starts.astimezone(ctx.tz) - timedelta(days=days)).astimezone(UTC)
        if remind_from <= now < starts:
            due.append((course, remind_from))
    queued = 0
    for course, remind_from in due:
        async with ctx.db.write() as conn:
            ids = await registrations.mark_reminded(
                conn, course_id=course.id, confirmed_before=remind_from, now=now
            )
            await queue(conn, [notice(id_, Reminder()) for id_ in ids], now=now)
        queued += len(ids)
    return queued
