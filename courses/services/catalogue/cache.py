"""The catalogue's course records, kept between requests and reloaded only when a course changed.

Loading every course with its formats and sessions is the costly part of the catalogue page
(three queries and a record per row). A marks query (ids, revisions, seat counters) decides
whether the kept records are still exactly what a load would give; the state of each course
is still computed at every call, from the injected clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from courses.domain.courses import CourseRecord
from courses.services.catalogue import listing
from courses.services.catalogue.listing import CourseListing, public
from courses.services.catalogue.organizers import Front, fronts_of
from courses.services.context import ServiceContext
from courses.storage.catalogue import CatalogueMarks, catalogue_marks
from courses.storage.courses import load_courses
from courses.storage.organizers import all_organizers

__all__ = ["CatalogueCache"]


class CatalogueCache:
    """One per app (process); `list_courses` gives what `listing.list_courses` gives."""

    def __init__(self) -> None:
        self._marks: CatalogueMarks | None = None
        self._courses: Sequence[CourseRecord] = ()

    async def list_courses(self, ctx: ServiceContext) -> list[CourseListing]:
        """Every course a visitor may see, earliest first, with what they can do with it now."""
        now = ctx.clock.now()
        courses = await self.courses(ctx)
        return [CourseListing(c, c.state(now=now, tz=ctx.tz)) for c in courses if public(c)]

    async def get_course(self, ctx: ServiceContext, slug: str) -> CourseListing:
        """What `listing.get_course` gives (CourseNotFound for an unknown slug)."""
        return (await self.course_page(ctx, slug))[0]

    async def course_page(
        self, ctx: ServiceContext, slug: str
    ) -> tuple[CourseListing, Front | None]:
        """`get_course`, and the course's organizer (None for a course of none)."""
        courses, organizers = await self.with_organizers(ctx)
        course = next((c for c in courses if c.slug == slug), None)
        if course is None or not public(course):
            found = await listing.get_course(ctx, slug)  # which says why in Swedish
        else:
            found = CourseListing(course, course.state(now=ctx.clock.now(), tz=ctx.tz))
        organizer_id = found.course.organizer_id
        return found, next((o for o in organizers if o.id == organizer_id), None)

    async def courses(self, ctx: ServiceContext) -> Sequence[CourseRecord]:
        """Every course, earliest first; the very same sequence as long as none changed."""
        return (await self.with_organizers(ctx))[0]

    async def with_organizers(
        self, ctx: ServiceContext
    ) -> tuple[Sequence[CourseRecord], list[Front]]:
        """`courses`, and the organizers as the public pages name them, read in the same
        transaction (one small query more; organizers are few and change without marks)."""
        async with ctx.db.read() as conn:
            marks = await catalogue_marks(conn)
            organizers = fronts_of(await all_organizers(conn), ctx.settings)
            if marks == self._marks:
                return self._courses, organizers
            # The marks are read before the courses: on PostgreSQL (a snapshot per statement)
            # a change in between leaves older marks beside newer records, which only costs
            # one more load next time, never a stale page.
            courses = await load_courses(conn)
        self._marks, self._courses = marks, courses
        return courses, organizers
