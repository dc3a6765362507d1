"""What anyone may read: courses with their current registration state, and employers."""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.courses import CourseRecord
from courses.domain.employers import EmployerRecord
from courses.domain.errors import CourseNotFound
from courses.domain.rules import CourseStatus, RegistrationState
from courses.services.catalogue.organizers import unknown_organizer
from courses.services.context import ServiceContext
from courses.storage.courses import load_course, load_courses
from courses.storage.employers import all_employers
from courses.storage.organizers import organizer_by_key

__all__ = [
    "CourseListing",
    "get_course",
    "list_courses",
    "list_employers",
    "public",
    "unknown_course",
]


@dataclass(frozen=True, slots=True)
class CourseListing:
    course: CourseRecord
    state: RegistrationState


def public(course: CourseRecord | None) -> bool:
    """Whether anyone may see the course: a draft is for staff only."""
    return course is not None and course.status is not CourseStatus.DRAFT


def unknown_course(slug: str) -> CourseNotFound:
    """What a visitor hears of a course that does not exist, or is a draft."""
    return CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")


async def list_courses(ctx: ServiceContext, *, organizer: str | None = None) -> list[CourseListing]:
    """Every published or cancelled course (of the organizer with the key `organizer`, if
    given: ItemNotFound for an unknown key), earliest first, with what a visitor can do with
    it now (drafts are left out)."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        organizer_id = None
        if organizer is not None:
            found = await organizer_by_key(conn, organizer)
            if found is None:
                raise unknown_organizer(organizer)
            organizer_id = found.id
        courses = await load_courses(conn)
    return [
        CourseListing(c, c.state(now=now, tz=ctx.tz))
        for c in courses
        if public(c) and organizer_id in (None, c.organizer_id)
    ]


async def get_course(ctx: ServiceContext, slug: str) -> CourseListing:
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    if course is None or not public(course):
        raise unknown_course(slug)
    return CourseListing(course, course.state(now=now, tz=ctx.tz))


async def list_employers(
    ctx: ServiceContext, *, organizer_id: int | None = None
) -> list[EmployerRecord]:
    """Employers whose staff may register (for one organizer's courses, or all; retired ones
    left out), the region first, then by name (plain Unicode order is right here: only Å/Ä/Ö
    sort after Z)."""
    async with ctx.db.read() as conn:
        employers = await all_employers(conn, organizer_id=organizer_id, active_only=True)
    return sorted(employers, key=lambda e: (e.kind != "region", e.name))
