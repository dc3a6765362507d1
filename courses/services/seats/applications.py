"""Applying to a lottery course before its draw: no seat is taken, the application waits for
the draw (`courses.services.lottery.draw`), and the applicant is told when it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.lottery import default_draw_day
from courses.services.context import ServiceContext
from courses.services.notices import notice, queue
from courses.storage import approval, lottery
from courses.storage.payloads import Applied

__all__ = ["apply"]


async def apply(
    ctx: ServiceContext,
    course: CourseRecord,
    row: dict[str, Any],
    *,
    now: datetime,
    manager: str | None = None,
    also: Callable[[AsyncConnection, int], Awaitable[None]] | None = None,
) -> int | None:
    """Write the application `row` (the registration's own columns) and its mail in one
    transaction; its id, or None when the course is no longer an undrawn lottery at the
    revision `course` was read at (the caller decides again on fresh data).

    On a course whose manager approves, `manager` (the form's `manager_email`, checked by
    the caller) is kept with the application: the draw asks that manager about a winner.

    `also` runs in the same transaction with the application's id (an audit entry).

    A second active registration of the same person raises IntegrityError, as registering does.
    """
    draw_on = course.draw_on or default_draw_day(course.deadline)
    async with ctx.db.write() as conn:
        registration_id = await lottery.apply(
            conn, course_id=course.id, revision=course.revision, row=row
        )
        if registration_id is None:
            return None
        if course.needs_approval:
            if manager is None:
                raise ValueError("a course with manager approval needs the manager's address")
            await approval.keep_manager(conn, registration_id, manager)
        await queue(conn, [notice(registration_id, Applied(draw_on=draw_on))], now=now)
        if also is not None:
            await also(conn, registration_id)
    ctx.mail_signal.notify()
    return registration_id
