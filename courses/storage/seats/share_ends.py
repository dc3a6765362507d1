"""The fair-seat shares that have ended: which courses still owe their waitlist the free
seats, and marking that they were handed out (`courses.services.seats.share_release`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import CourseStatus
from courses.storage.tables import course_table

__all__ = ["courses_with_share_ended", "mark_released"]

_COURSE = course_table.c
_LAST_DAY = func.coalesce(_COURSE.share_until, _COURSE.deadline)


async def courses_with_share_ended(conn: AsyncConnection, *, today: date) -> list[int]:
    """Published fair-seat courses whose share's last day is before `today` (local) and whose
    release has not been done for that day (a changed `share_until` is released again)."""
    found = await conn.execute(
        select(_COURSE.id)
        .where(_COURSE.per_employer.is_not(None))
        .where(_COURSE.status == CourseStatus.PUBLISHED.value)
        .where(today > _LAST_DAY)
        .where(or_(_COURSE.share_released_for.is_(None), _COURSE.share_released_for != _LAST_DAY))
        .order_by(_COURSE.id)
    )
    return [int(id_) for (id_,) in found.all()]


async def mark_released(conn: AsyncConnection, course_id: int) -> None:
    await conn.execute(
        update(course_table).where(_COURSE.id == course_id).values(share_released_for=_LAST_DAY)
    )
