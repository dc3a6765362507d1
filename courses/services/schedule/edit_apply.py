"""One admin edit of one course, applied as an import applies a change: under the course row's
lock, the revision bumped, the seats recounted, the registrants told with invite updates
(`notify_course_change`), free seats given to the waitlist in queue order, and an audit entry.
`course_edits` says what each edit writes; this module does the rest the same way for all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.permissions import Actor
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.permissions import locked_course_for_admin
from courses.services.schedule.changes import notify_course_change
from courses.services.seats.capacity import recount
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage.courses import bump_revision, load_course

__all__ = ["CourseUpdate", "Write", "apply_edit"]


@dataclass(frozen=True, slots=True)
class CourseUpdate:
    course: CourseRecord
    """The course after the change."""
    changes: list[str]
    """What changed, in Swedish (empty: nothing did, and nothing was written)."""
    notified: int
    """Registrants told by mail."""
    promoted: list[int]
    """Registrations moved up from the waitlist into seats the change freed."""


Write = Callable[[AsyncConnection, CourseRecord], Awaitable[tuple[dict[str, Any], list[str]]]]
"""Writes a change of the locked course: (new course-row values, the report's lines)."""


async def apply_edit(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    action: str,
    write: Write,
    *,
    reason: str | None = None,
) -> CourseUpdate:
    """Lock the admin's course, let `write` change it, then do what every change does; an
    edit that changes nothing writes nothing (not even the audit entry)."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        before = await locked_course_for_admin(conn, actor, slug)
        values, lines = await write(conn, before)
        if not lines:
            return CourseUpdate(before, [], 0, [])
        await bump_revision(conn, before.id, now=now, **values)
        await recount(conn, before.id)
        after = await load_course(conn, slug)
        assert after is not None
        notified = await notify_course_change(conn, before, after, now=now, reason=reason)
        promoted = await promote_waitlisted(
            conn, after, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
        )
        await _audit(conn, actor, action, after, lines, notified, promoted, now=now, reason=reason)
        if promoted:
            after = await load_course(conn, slug) or after
    ctx.mail_signal.notify()
    return CourseUpdate(after, lines, notified, promoted)


async def _audit(
    conn: AsyncConnection,
    actor: Actor,
    action: str,
    course: CourseRecord,
    lines: list[str],
    notified: int,
    promoted: list[int],
    *,
    now: datetime,
    reason: str | None,
) -> None:
    summaries = {
        "course.change": "Ändrade kursen",
        "course.cancel": "Ställde in kursen",
        "session.change": "Ändrade en kursdag i",
        "session.cancel": "Ställde in en kursdag i",
    }
    await record(
        conn,
        actor,
        action,
        at=now,
        organizer_id=course.organizer_id,
        course_slug=course.slug,
        summary=f"{summaries[action]} {course.title}: {'; '.join(lines)}."
        + (f" Anledning: {reason}" if reason else ""),
        details={
            "changes": lines,
            "notified": notified,
            "promoted": promoted,
            **({"reason": reason} if reason else {}),
        },
    )
