"""The catalogue's course records, kept between requests and reloaded only when a course changed.

Loading every course with its formats and sessions is the costly part of the catalogue page
(three queries and a record per row). A marks query (ids, revisions, seat counters) decides
whether the kept records are still exactly what a load would give; the state of each course
is still computed at every call, from the injected clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.services.catalogue import listing
from courses.services.catalogue.listing import CourseListing, public
from courses.services.catalogue.organizers import Front, fronts_of
from courses.services.context import ServiceContext
from courses.storage.catalogue import CatalogueMarks, catalogue_marks, course_organizer
from courses.storage.courses import load_courses
from courses.storage.organizers import all_organizers

__all__ = ["CatalogueCache"]


class CatalogueCache:
    """One per app (process); `list_courses` gives what `listing.list_courses` gives.

    Kept per organizer: a page of one organizer (its catalogue, one of its courses) reads
    that organizer's marks only and reloads only its courses when they changed, so its cost
    does not grow with the other organizers, nor does a registration for one organizer's
    capped course make the next page of another reload anything.
    """

    def __init__(self) -> None:
        self._kept: dict[int, tuple[CatalogueMarks, Sequence[CourseRecord]]] = {}
        self._all: Sequence[CourseRecord] = ()
        self._changes = 0
        """Bumped whenever `_kept` changes; `_all` is merged from `_kept` as of `_all_of`."""
        self._all_of = 0

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
        async with ctx.db.read() as conn:
            owner = await course_organizer(conn, slug)
            organizers = fronts_of(await all_organizers(conn), ctx.settings)
            courses = () if owner is None else await self._current(conn, owner)
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
        self, ctx: ServiceContext, *, organizer_key: str | None = None
    ) -> tuple[Sequence[CourseRecord], list[Front]]:
        """`courses` (only the courses of the organizer `organizer_key`, if given: none for an
        unknown key), and the organizers as the public pages name them, read in the same
        transaction (one small query more; organizers are few and change without marks)."""
        async with ctx.db.read() as conn:
            organizers = fronts_of(await all_organizers(conn), ctx.settings)
            if organizer_key is None:
                return await self._current(conn, None), organizers
            chosen = next((o for o in organizers if o.key == organizer_key), None)
            if chosen is None:
                return (), organizers
            return await self._current(conn, chosen.id), organizers

    async def _current(
        self, conn: AsyncConnection, organizer_id: int | None
    ) -> Sequence[CourseRecord]:
        """The kept courses of the organizer (None: of all, merged earliest first), the
        changed ones loaded again first. The marks are read before the courses: on PostgreSQL
        (a snapshot per statement) a change in between leaves older marks beside newer records,
        which only costs one more load next time, never a stale page."""
        marks = await catalogue_marks(conn, organizer_id=organizer_id)
        if organizer_id is None:
            for gone in set(self._kept) - set(marks):
                del self._kept[gone]
                self._changes += 1
        elif organizer_id not in marks and organizer_id in self._kept:
            del self._kept[organizer_id]
            self._changes += 1
        changed = [o for o, m in marks.items() if o not in self._kept or self._kept[o][0] != m]
        if changed:
            loaded: dict[int, list[CourseRecord]] = {o: [] for o in changed}
            for course in await load_courses(conn, organizer_ids=changed):
                loaded[course.organizer_id].append(course)
            for owner in changed:
                self._kept[owner] = (marks[owner], loaded[owner])
            self._changes += 1
        if organizer_id is not None:
            return self._kept[organizer_id][1] if organizer_id in self._kept else ()
        if self._all_of != self._changes:
            merged = [c for _, part in self._kept.values() for c in part]
            merged.sort(key=lambda c: (c.sessions[0].day if c.sessions else c.deadline, c.slug))
            self._all, self._all_of = merged, self._changes
        return self._all
