"""What cancelling a course or one of its sessions would do, before an admin does it: who is
told, and whose invites are cancelled. Reads only; `course_edits.cancel_course` and
`cancel_session` do it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from courses.domain.courses import CourseRecord, SessionRecord
from courses.domain.errors import CourseNotFound
from courses.domain.permissions import Actor
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.permissions import course_missing, require_admin
from courses.storage import registrations
from courses.storage.courses import load_course

__all__ = ["CancelPreview", "preview_cancel"]


@dataclass(frozen=True, slots=True)
class CancelPreview:
    course: CourseRecord
    session: SessionRecord | None
    """The session to cancel; None: the whole course."""
    confirmed: int
    """Registrants with a seat: told, and their invites cancelled."""
    waitlisted: int
    pending: int
    """Holding a seat until their manager answers."""
    applied: int
    """Applicants to a lottery not yet drawn."""

    @property
    def already_cancelled(self) -> bool:
        return self.course.status is CourseStatus.CANCELLED

    @property
    def told(self) -> int:
        return self.confirmed + self.waitlisted + self.pending + self.applied


async def preview_cancel(
    ctx: ServiceContext, actor: Actor, slug: str, position: int | None = None
) -> CancelPreview:
    """Who cancelling the course (or the session at `position`) would tell.

    Raises Forbidden (not an admin) and CourseNotFound (unknown, another organizer's course,
    or a session the course does not have, such as one already cancelled).
    """
    require_admin(actor)
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
        if course is None or not actor.administers(course.organizer_id):
            raise course_missing(slug)
        active = await registrations.active_in_course(conn, course.id)
    session = None
    if position is not None:
        session = next((s for s in course.sessions if s.position == position), None)
        if session is None:
            raise CourseNotFound(f"Kursen {slug!r} har ingen kursdag {position}.")
    counts = Counter(status for _, status, _ in active)
    return CancelPreview(
        course=course,
        session=session,
        confirmed=counts[RegistrationStatus.CONFIRMED],
        waitlisted=counts[RegistrationStatus.WAITLISTED],
        pending=counts[RegistrationStatus.PENDING_APPROVAL],
        applied=counts[RegistrationStatus.APPLIED],
    )
