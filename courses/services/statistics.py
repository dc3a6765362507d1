"""Statistics for admins: per course and per employer, registered, confirmed, waiting for the
manager, applied (lottery), offered a seat from the waitlist, waitlisted, cancelled, handed on
to a colleague and attended, so the county sees whether every municipality gets its share."""

from __future__ import annotations

from dataclasses import dataclass, field

from courses.domain.fair_seats import Share, share_of
from courses.domain.permissions import Actor
from courses.domain.rules import seats_left
from courses.services.context import ServiceContext
from courses.services.permissions import organizer_scope
from courses.storage.lottery import DrawRecord, draws_of
from courses.storage.statistics import (
    Counts,
    CourseCounts,
    EmployerCounts,
    course_counts,
    employer_counts,
)

__all__ = ["Counts", "CourseCounts", "DrawRecord", "EmployerCounts", "Statistics", "statistics"]


@dataclass(frozen=True, slots=True)
class Statistics:
    courses: list[CourseCounts]
    employers: list[EmployerCounts]
    draws: dict[str, DrawRecord] = field(default_factory=dict)
    """The lottery courses' draws, by slug (courses not drawn are missing)."""

    @staticmethod
    def seats_left(course: CourseCounts) -> int | None:
        """Free seats under the course's cap (None: no cap); never negative. A registration
        waiting for its manager, or offered a seat it has not answered yet, holds its seat, so
        it is not free."""
        return seats_left(course.seats, course.held)

    @staticmethod
    def share(course: CourseCounts) -> Share | None:
        """The course's fair-seat cap per employer and its last day (None: no fair seats)."""
        return share_of(course.per_employer, course.share_until, course.deadline)


async def statistics(ctx: ServiceContext, actor: Actor) -> Statistics:
    """The counts of the actor's organizers (a super-admin: all). Raises Forbidden for a
    non-admin."""
    scope = organizer_scope(actor)
    async with ctx.db.read() as conn:
        return Statistics(
            courses=await course_counts(conn, organizer_ids=scope),
            employers=await employer_counts(conn, organizer_ids=scope),
            draws=await draws_of(conn, organizer_ids=scope),
        )
