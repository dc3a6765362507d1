"""The reminder before a course's first session: queued once per confirmed registration."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select, update

from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.notices import MailKind, notice, queue
from courses.services.records import load_courses
from courses.storage.tables import registration_table, session_table

__all__ = ["queue_reminders"]


async def queue_reminders(ctx: ServiceContext) -> int:
    """Queue the reminders that are due now; returns how many. The mail worker calls this.

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
        soon = await conn.execute(
            select(session_table.c.course_id)
            .where(session_table.c.day.between(today, today + timedelta(days=days + 1)))
            .distinct()
        )
        upcoming = set(soon.scalars().all())
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
    reg = registration_table.c
    for course, remind_from in due:
        async with ctx.db.write() as conn:
            result = await conn.execute(
                update(registration_table)
                .where(
                    reg.course_id == course.id,
                    reg.status == RegistrationStatus.CONFIRMED.value,
                    reg.reminded_at.is_(None),
                    reg.confirmed_at < remind_from,
                )
                .values(reminded_at=now)
                .returning(reg.id)
            )
            ids = sorted(result.scalars().all())
            await queue(conn, [notice(MailKind.REMINDER, id_) for id_ in ids], now=now)
        queued += len(ids)
    return queued
